"""Import and export of a whole network as a plan file (PRODUCT.md §6)."""

from storage.plan.transfer import (
    Report,
    current_network,
    defaults,
    export_file,
    export_plan,
    import_and_plan,
    import_file,
    import_plan,
    load_example,
)

__all__ = [
    "Report",
    "current_network",
    "defaults",
    "export_file",
    "export_plan",
    "import_and_plan",
    "import_file",
    "import_plan",
    "load_example",
]
