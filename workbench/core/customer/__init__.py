"""A customer case: several archives of one customer (machines, or several uploads of one machine), compared.

In the brief's case the engineer solved it by putting machines side by side: A blue-screened at the second
boot, B's Setup vanished in the first phase, both ran the same agent. A customer case groups their archives
(:mod:`.case_file`: a small file beside them listing its members and a name), opens each member's own case
store (:mod:`.members`: nothing is re-ingested), and compares them (:mod:`.compare`: one column per machine,
the third-party software aligned by product, the suspects every failing machine shares and the succeeding
ones lack, the same finding on several machines as one row). :mod:`.summary` writes one summary for the
customer, through the report templates.
"""

from workbench.core.customer.case_file import (
    CUSTOMER_SCHEMA,
    CUSTOMER_SUFFIX,
    ROLES,
    CustomerCase,
    Member,
)
from workbench.core.customer.compare import COMPARE_SCHEMA, build_comparison
from workbench.core.customer.members import MachineInput, load_machines

__all__ = ["COMPARE_SCHEMA", "CUSTOMER_SCHEMA", "CUSTOMER_SUFFIX", "ROLES", "CustomerCase", "MachineInput", "Member",
           "build_comparison", "load_machines"]
