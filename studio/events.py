"""Events of the tenancy layer. Apps above ``studio`` react to them; ``studio`` imports none of
them (billing opens a credit account when a workspace is created)."""

from django.dispatch import Signal

# Sent inside the creating transaction, right after the owner's membership. Arguments:
# workspace. A receiver that raises rolls the workspace back.
workspace_created = Signal()
