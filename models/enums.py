"""Categorical fields of the national verification form (Basis Data Terpadu), with labels.

Labels are English message ids; the Indonesian catalog gives the form's own wording.
"""

from models.types import Choice, Label


class RegionKind(Choice):
    PROVINCE = Label("Province")
    REGENCY = Label("Regency")
    CITY = Label("City")
    DISTRICT = Label("District")
    PAPUA_DISTRICT = Label("District (Papua)")
    URBAN_VILLAGE = Label("Urban village")
    VILLAGE = Label("Village")
    CUSTOMARY_VILLAGE = Label("Customary village")


class HouseholdStatus(Choice):
    ACTIVE = Label("Registered")
    PROPOSED = Label("Proposed")
    INACTIVE = Label("Inactive")
    #: A proposed household whose proposal a verifier rejected: not "Proposed" any more, and
    #: never part of the register; its proposer corrects it by withdrawing and proposing again.
    REJECTED = Label("Rejected")


class BuildingTenure(Choice):
    OWNED = Label("Owned")
    RENTED = Label("Rented")
    RENT_FREE = Label("Rent free")
    OFFICIAL = Label("Official housing")
    OTHER = Label("Other tenure")


class LandTenure(Choice):
    OWNED = Label("Own land")
    OTHERS = Label("Someone else's land")
    STATE = Label("State land")
    OTHER = Label("Other land status")


class FloorType(Choice):
    MARBLE = Label("Marble/granite")
    CERAMIC = Label("Ceramic tiles")
    PARQUET = Label("Parquet/vinyl/carpet")
    TILE = Label("Tiles/terrazzo")
    GOOD_WOOD = Label("High-quality wood")
    CEMENT = Label("Cement/red brick")
    BAMBOO = Label("Bamboo floor")
    POOR_WOOD = Label("Low-quality wood")
    EARTH = Label("Earth")
    OTHER = Label("Other floor")


class WallType(Choice):
    MASONRY = Label("Masonry")
    PLASTERED_BAMBOO = Label("Plastered woven bamboo/wire")
    WOOD = Label("Wood")
    WOVEN_BAMBOO = Label("Woven bamboo")
    LOGS = Label("Logs")
    BAMBOO = Label("Bamboo wall")
    OTHER = Label("Other wall")


class RoofType(Choice):
    CONCRETE = Label("Concrete")
    CERAMIC_TILE = Label("Ceramic roof tiles")
    METAL_TILE = Label("Metal roof tiles")
    CLAY_TILE = Label("Clay roof tiles")
    ASBESTOS = Label("Asbestos")
    ZINC = Label("Corrugated zinc")
    SHINGLE = Label("Wooden shingles")
    BAMBOO = Label("Bamboo roof")
    THATCH = Label("Straw/palm thatch")
    OTHER = Label("Other roof")


class DrinkingWater(Choice):
    BOTTLED = Label("Bottled water")
    REFILL = Label("Refill water")
    PIPED_METERED = Label("Metered piped water")
    PIPED_RETAIL = Label("Retail piped water")
    BOREHOLE = Label("Borehole/pump")
    PROTECTED_WELL = Label("Protected well")
    UNPROTECTED_WELL = Label("Unprotected well")
    PROTECTED_SPRING = Label("Protected spring")
    UNPROTECTED_SPRING = Label("Unprotected spring")
    SURFACE = Label("River/lake/reservoir")
    RAIN = Label("Rainwater")
    OTHER = Label("Other water source")


class Lighting(Choice):
    PLN_METERED = Label("PLN electricity, metered")
    PLN_UNMETERED = Label("PLN electricity, unmetered")
    NON_PLN = Label("Non-PLN electricity")
    NONE = Label("No electricity")


class CookingFuel(Choice):
    ELECTRICITY = Label("Electricity")
    LPG_LARGE = Label("LPG over 3 kg")
    LPG_3KG = Label("LPG 3 kg")
    BIOGAS = Label("Town gas/biogas")
    KEROSENE = Label("Kerosene")
    BRIQUETTE = Label("Briquettes")
    CHARCOAL = Label("Charcoal")
    FIREWOOD = Label("Firewood")
    NONE = Label("Does not cook")


class Toilet(Choice):
    PRIVATE = Label("Private toilet")
    SHARED = Label("Shared toilet")
    PUBLIC = Label("Public toilet")
    NONE = Label("No toilet")


class Relationship(Choice):
    HEAD = Label("Head of household")
    SPOUSE = Label("Wife/husband")
    CHILD = Label("Child")
    CHILD_IN_LAW = Label("Son/daughter-in-law")
    GRANDCHILD = Label("Grandchild")
    PARENT = Label("Parent/parent-in-law")
    HELPER = Label("Household helper")
    OTHER = Label("Other relative")


class Sex(Choice):
    MALE = Label("Male")
    FEMALE = Label("Female")


class MaritalStatus(Choice):
    SINGLE = Label("Not married")
    MARRIED = Label("Married")
    DIVORCED = Label("Divorced")
    WIDOWED = Label("Widowed")


class Education(Choice):
    NONE = Label("No diploma")
    PRIMARY = Label("Primary school")
    JUNIOR = Label("Junior high school")
    SENIOR = Label("Senior high school")
    DIPLOMA = Label("Diploma I-III")
    BACHELOR = Label("Diploma IV/bachelor")
    POSTGRADUATE = Label("Master/doctorate")


class SchoolAttendance(Choice):
    NEVER = Label("Never attended school")
    ATTENDING = Label("Still in school")
    LEFT = Label("No longer in school")


class Occupation(Choice):
    NOT_WORKING = Label("Not working")
    FOOD_CROPS = Label("Rice and food crops")
    HORTICULTURE = Label("Horticulture")
    PLANTATION = Label("Plantations")
    FISHERY = Label("Fishery")
    LIVESTOCK = Label("Livestock")
    FORESTRY = Label("Forestry")
    MINING = Label("Mining")
    MANUFACTURING = Label("Manufacturing")
    CONSTRUCTION = Label("Construction")
    TRADE = Label("Trade")
    FOOD_SERVICE = Label("Hotels and restaurants")
    TRANSPORT = Label("Transport")
    SERVICES = Label("Education, health and other services")
    OTHER = Label("Other work")


class EmploymentStatus(Choice):
    NOT_WORKING = Label("No job")
    SELF_EMPLOYED = Label("Self-employed")
    EMPLOYER_TEMPORARY = Label("Employer with temporary workers")
    EMPLOYER_PERMANENT = Label("Employer with permanent workers")
    EMPLOYEE = Label("Private employee")
    CIVIL_SERVANT = Label("Civil servant/military/police")
    CASUAL_FARM = Label("Casual farm worker")
    CASUAL_OTHER = Label("Casual non-farm worker")
    FAMILY_WORKER = Label("Unpaid family worker")


class Disability(Choice):
    NONE = Label("No disability")
    PHYSICAL = Label("Physical disability")
    VISUAL = Label("Visual disability")
    HEARING = Label("Hearing disability")
    SPEECH = Label("Speech disability")
    INTELLECTUAL = Label("Intellectual disability")
    PSYCHOSOCIAL = Label("Psychosocial disability")
    MULTIPLE = Label("Multiple disabilities")


class ChronicIllness(Choice):
    NONE = Label("No chronic illness")
    HYPERTENSION = Label("Hypertension")
    RHEUMATISM = Label("Rheumatism")
    ASTHMA = Label("Asthma")
    HEART = Label("Heart disease")
    DIABETES = Label("Diabetes")
    TUBERCULOSIS = Label("Tuberculosis")
    STROKE = Label("Stroke")
    CANCER = Label("Cancer/tumour")
    OTHER = Label("Other chronic illness")


class MemberStatus(Choice):
    ACTIVE = Label("Active")
    PROPOSED = Label("Proposed member")
    DECEASED = Label("Deceased")
    MOVED = Label("Moved away")
    DUPLICATE = Label("Duplicate")
    NOT_FOUND = Label("Not found")


class TargetLevel(Choice):
    PERSON = Label("Person")
    FAMILY = Label("Family")
    HOUSEHOLD = Label("Household")


class MembershipStatus(Choice):
    ACTIVE = Label("Receiving")
    SUSPENDED = Label("Suspended")
    ENDED = Label("Ended")


class PeriodStatus(Choice):
    OPEN = Label("Open")
    CLOSING = Label("Closing")
    CLOSED = Label("Closed")


class ProposalKind(Choice):
    NEW_HOUSEHOLD = Label("New household")
    NEW_MEMBER = Label("New member")
    DEACTIVATE_HOUSEHOLD = Label("Household deactivation")
    DEACTIVATE_MEMBER = Label("Member deactivation")
    DECILE_OVERRIDE = Label("Deliberation decile")


class ProposalStatus(Choice):
    DRAFT = Label("Draft")
    SUBMITTED = Label("Submitted")
    VERIFIED = Label("Verified")
    REJECTED = Label("Rejected")
    APPLIED = Label("Applied at close")


class DeactivationReason(Choice):
    MOVED = Label("Moved away")
    DECEASED = Label("Deceased")
    DUPLICATE = Label("Duplicate")
    NOT_FOUND = Label("Not found")
    #: A resident's objection (sanggah) the regency upheld (app.complaints).
    OBJECTION = Label("Objection upheld")


class JobStatus(Choice):
    QUEUED = Label("Queued")
    RUNNING = Label("Running")
    SUCCEEDED = Label("Succeeded")
    FAILED = Label("Failed")


class DuplicateLevel(Choice):
    LIKELY = Label("Likely duplicate")
    POSSIBLE = Label("Possible duplicate")


class DuplicateStatus(Choice):
    OPEN = Label("Awaiting review")
    SAME = Label("Same person")
    DIFFERENT = Label("Different people")


class ComplaintKind(Choice):
    #: A listed household does not deserve aid (the submitter lives in the same village).
    OBJECTION = Label("Objection (sanggah)")
    #: A household outside the register that should be in it.
    PROPOSAL = Label("Proposal (usul)")
    #: A household contests its own decile.
    DECILE = Label("Decile objection")


class ComplaintStatus(Choice):
    RECEIVED = Label("Received")
    IN_VERIFICATION = Label("In verification")
    UPHELD = Label("Upheld")
    REJECTED = Label("Rejected")
    LAPSED = Label("Lapsed")


class ComplaintReason(Choice):
    # Objections: why the household should not receive aid.
    CAPABLE = Label("The household is well off")
    MOVED = Label("The household moved away")
    DECEASED = Label("The person died")
    NOT_LIVING_HERE = Label("Nobody of this household lives here")
    DUPLICATE = Label("Registered twice")
    # Proposals: why a household should be in the register.
    POOR = Label("The household lives in poverty")
    ELDERLY_ALONE = Label("An elderly person living alone")
    DISABILITY = Label("A member with a disability needs support")
    DISASTER = Label("Hit by a disaster or lost its income")
    # Decile objections.
    DECILE_TOO_HIGH = Label("Our decile is too high for our condition")
    DECILE_DATA_WRONG = Label("The data behind our decile is wrong")
    OTHER = Label("Other reason")
