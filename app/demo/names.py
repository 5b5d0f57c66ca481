"""Names of the demo's people and places: Faker's Indonesian names mixed with common Sundanese
ones for a West Javan register, birthplaces, and the street and kampung names of addresses."""

import random

from faker import Faker

from models.enums import Sex

#: Common Sundanese names, mixed with Faker's Indonesian ones for a West Javan register.
SUNDANESE_MALE = (
    "Asep",
    "Ujang",
    "Dadang",
    "Cecep",
    "Yayat",
    "Deden",
    "Iwan",
    "Entis",
    "Dede",
    "Jajang",
    "Encep",
    "Ade",
    "Aep",
    "Usep",
    "Endang",
    "Mamat",
    "Ayi",
    "Engkus",
    "Dadan",
    "Agus",
    "Yanto",
    "Ridwan",
    "Rahmat",
    "Oman",
    "Cahya",
    "Wawan",
)
SUNDANESE_FEMALE = (
    "Euis",
    "Neng",
    "Iis",
    "Enok",
    "Imas",
    "Cucu",
    "Yati",
    "Nining",
    "Tati",
    "Ai",
    "Entin",
    "Eti",
    "Ikah",
    "Popon",
    "Nenden",
    "Siti",
    "Rina",
    "Lilis",
    "Iyah",
    "Nani",
    "Wati",
    "Yuyun",
    "Dewi",
    "Tuti",
    "Elis",
    "Ela",
)
SUNDANESE_FAMILY = (
    "Suryana",
    "Sopandi",
    "Supriatna",
    "Hidayat",
    "Permana",
    "Kusnadi",
    "Rohmat",
    "Mulyana",
    "Sumarna",
    "Setiawan",
    "Sutisna",
    "Saepudin",
    "Nurdin",
    "Sobari",
    "Ruhiyat",
    "Komarudin",
    "Sukmana",
    "Kurniawan",
    "Gunawan",
    "Hermawan",
)
OTHER_BIRTHPLACES = (
    "Garut",
    "Tasikmalaya",
    "Cianjur",
    "Sukabumi",
    "Ciamis",
    "Kuningan",
    "Cirebon",
    "Sumedang",
    "Majalengka",
    "Subang",
    "Jakarta",
    "Tegal",
    "Brebes",
    "Indramayu",
    "Purwakarta",
    "Karawang",
    "Bekasi",
    "Depok",
    "Cimahi",
    "Semarang",
    "Surabaya",
    "Yogyakarta",
    "Serang",
    "Lampung",
    "Medan",
)


class Names:
    """What one seed's households and their streets are named from."""

    def __init__(self, seed: int):
        from faker.providers.person.id_ID import Provider as Person

        fake = Faker("id_ID")
        fake.seed_instance(seed)
        self.male_names = list(Person.first_names_male) + list(SUNDANESE_MALE) * 6
        self.female_names = list(Person.first_names_female) + list(SUNDANESE_FEMALE) * 6
        self.male_family = list(Person.last_names_male) + list(SUNDANESE_FAMILY) * 4
        self.female_family = list(Person.last_names_female) + list(SUNDANESE_FAMILY) * 2
        # Street and kampung names drawn once from the seeded Faker: cheap to pick from later.
        self.streets = [fake.street_name() for _ in range(400)]
        self.kampung = [fake.street_name().split(" ", 1)[1] for _ in range(400)]
        self.birthplaces = list(OTHER_BIRTHPLACES)

    def full_name(self, rng: random.Random, sex: Sex) -> str:
        if sex is Sex.MALE:
            name = rng.choice(self.male_names)
            if rng.random() < 0.55:
                name += " " + rng.choice(self.male_family)
        else:
            name = rng.choice(self.female_names)
            if rng.random() < 0.45:
                name += " " + rng.choice(self.female_family)
        return name

    def birth_place(self, rng: random.Random, regency_name: str) -> str:
        """Most people are born in the regency they live in."""
        return regency_name if rng.random() < 0.8 else rng.choice(self.birthplaces)

    def address(self, rng: random.Random, kind: str) -> str:
        if kind == "kab" and rng.random() < 0.55:
            return f"Kp. {rng.choice(self.kampung)}"
        return f"{rng.choice(self.streets)} No. {rng.randint(1, 180)}"
