"""import-linter contract type `public_modules`: an app's modules are private unless declared public.

For each package in `packages`, the modules named in `public` (`models` means `<package>.models` and
its descendants), those in `also_public` (full names) and the package itself make up what other code
may import. Every other module of the package is private: a direct import of it from outside the
package (other than from `allowed_importers`) breaks the contract. A new module is private until it
is declared, so the contract fails closed.

A package that is not in the graph yet (an app still to come) or not among the root packages gives a
warning, not a failure: list it in `root_packages` as soon as it exists.
"""

from dataclasses import dataclass, field

from importlinter import Contract, ContractCheck, fields, output
from importlinter.application import contract_utils
from importlinter.domain import helpers


@dataclass
class Violation:
    importer: str
    imported: str
    line_numbers: tuple[int, ...]


@dataclass
class PackageViolations:
    package: str
    violations: list[Violation] = field(default_factory=list)


class PublicModulesContract(Contract):
    """
    Configuration options:
        - packages:           The packages (apps) whose private modules are protected.
        - public:             Module names, relative to each package, that are public in every package.
        - also_public:        Full names of further public modules, package by package. (Optional.)
        - allowed_importers:  Modules (with descendants) that may import anything. (Optional.)
        - ignore_imports:     Import expressions to ignore, as in the built-in contracts. (Optional.)
        - unmatched_ignore_imports_alerting: "none", "warn" or "error" (default) when an
                              `ignore_imports` expression matches no import.
        - broken_contract_guidance: Shown after the violations. (Optional.)
    """

    type_name = "public_modules"

    packages = fields.ListField(subfield=fields.StringField())
    public = fields.ListField(subfield=fields.StringField())
    also_public = fields.ListField(subfield=fields.StringField(), required=False, default=())
    allowed_importers = fields.ListField(subfield=fields.ModuleExpressionField(), required=False, default=())
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)
    unmatched_ignore_imports_alerting = fields.EnumField(
        contract_utils.AlertLevel, default=contract_utils.AlertLevel.ERROR
    )
    broken_contract_guidance = fields.TextField(required=False)

    def check(self, graph, verbose: bool) -> ContractCheck:
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=self.ignore_imports,
            unmatched_alerting=self.unmatched_ignore_imports_alerting,
        )
        warnings = list(removal.warnings)
        allowed = {
            module.name
            for module in helpers.module_expressions_to_modules(
                graph=graph, expressions=self.allowed_importers, as_packages=True
            )
        }
        packages = list(dict.fromkeys(self.packages))
        claimed = {name for name in self.also_public if name.split(".")[0] not in packages}
        if claimed:
            warnings.append(f"also_public names modules of no listed package: {', '.join(sorted(claimed))}")

        broken = []
        for package in packages:
            if package not in graph.modules:
                warnings.append(f"{package} is not in the graph: not checked (add it to root_packages once it exists)")
                continue
            if graph.is_module_squashed(package):
                warnings.append(f"{package} is not a root package: not checked (add it to root_packages)")
                continue
            members = {package} | graph.find_descendants(package)
            roots = [f"{package}.{name}" for name in self.public]
            roots += [name for name in self.also_public if name == package or name.startswith(package + ".")]
            public = {package} | {
                module for module in members for root in roots if module == root or module.startswith(root + ".")
            }
            found = PackageViolations(package)
            for private in sorted(members - public):
                importers = graph.find_modules_that_directly_import(private) - members - allowed
                for importer in sorted(importers):
                    details = graph.get_import_details(importer=importer, imported=private)
                    lines = tuple(sorted({detail["line_number"] for detail in details}))
                    found.violations.append(Violation(importer, private, lines))
                    output.verbose_print(verbose, f"{importer} -> {private} (private)")
            if found.violations:
                found.violations.sort(key=lambda v: (v.imported, v.importer))
                broken.append(found)

        return ContractCheck(
            kept=not broken,
            warnings=warnings,
            ignored_import_count=removal.ignored_import_count,
            metadata={"broken": broken},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        for found in check.metadata["broken"]:
            output.print_error(f"Private modules of {found.package} imported from outside it:", bold=False)
            output.new_line()
            for violation in found.violations:
                lines = ", ".join(map(str, violation.line_numbers))
                output.print_error(f"- {violation.importer} -> {violation.imported} (l.{lines})", bold=False)
            output.new_line()
        contract_utils.render_broken_contract_guidance(self.broken_contract_guidance)
