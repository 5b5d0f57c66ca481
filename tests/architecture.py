"""An import-linter contract type the stock ones lack: no import cycle among the project's
modules at all. `acyclic_siblings` compares only siblings, so it cannot see a package's
`__init__` importing a child that imports the package back; this contract can.

Registered in .importlinter (`contract_types`), run by `lint-imports` in `make test`."""

from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


class AcyclicModulesContract(Contract):
    """Kept when no module can reach itself by following imports."""

    type_name = "acyclic_modules"
    modules = fields.ListField(subfield=fields.ModuleField())

    def check(self, graph, verbose: bool) -> ContractCheck:
        roots = [module.name for module in self.modules]
        project = {name for root in roots for name in graph.find_descendants(root) | {root}}
        cycles = set()
        for importer in sorted(project):
            for imported in sorted(graph.find_modules_directly_imported_by(importer) & project):
                back = graph.find_shortest_chain(importer=imported, imported=importer)
                if back:
                    cycle = (importer, *back)
                    start = cycle.index(min(cycle[:-1]))
                    cycles.add(cycle[start:-1] + cycle[: start + 1])
        return ContractCheck(kept=not cycles, metadata={"cycles": sorted(cycles)})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for cycle in check.metadata["cycles"]:
            output.print_error(" -> ".join(cycle), bold=False)
            output.new_line()
