"""Import and export of a whole network as a plan file (PRODUCT.md §6)."""

from storage.plan.stored import stored_network
from storage.plan.transfer import export_plan, import_plan

__all__ = ["export_plan", "import_plan", "stored_network"]
