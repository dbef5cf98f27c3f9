"""The one vocabulary of who may do what: actor kinds, roles, and the role sets that decide.

Every access decision reads these names through :meth:`tenancy.scoping.Actor.require` (services
and base views) or the sets below; no code compares a role or a kind with a string of its own.
The README's role matrix is written from this module, and ``tests/test_role_matrix.py`` walks it.
"""

from __future__ import annotations

# --- What an actor is: the kind of its organization, or a creator, or the system ---------------
OPERATOR = "operator"
BRAND = "brand"
AGENCY = "agency"
PARTNER = "partner"
CREATOR = "creator"
SYSTEM_KIND = "system"
ORGANIZATION_KINDS = (OPERATOR, BRAND, AGENCY, PARTNER)

# --- Roles: a membership's, or what a key, a creator or the system acts with -------------------
OWNER = "owner"
ADMIN = "admin"
MEMBER = "member"
VIEWER = "viewer"
REVIEWER = "reviewer"
API_KEY = "api_key"
CREATOR_ROLE = "creator"
SYSTEM_ROLE = "system"
#: The operator's staff in the Django admin: the one actor every manager shows every row to.
PLATFORM_STAFF = "platform_staff"
#: Acts for nobody (API schema generation): every manager shows it nothing.
NOBODY = "nobody"
MEMBERSHIP_ROLES = (OWNER, ADMIN, MEMBER, VIEWER, REVIEWER)

#: Manage the organization itself: members, API keys, webhook endpoints.
ADMIN_ROLES = frozenset({OWNER, ADMIN})
#: Change the organization's business data (campaigns, contracts, traffic runs …). `viewer` only
#: reads; `reviewer` reads and works the compliance queue but changes nothing else. A key writes
#: within its scopes, a creator only its own answers (the services check which are its own).
WRITE_ROLES = frozenset({OWNER, ADMIN, MEMBER, API_KEY, CREATOR_ROLE, SYSTEM_ROLE})
#: Decide compliance cases (the operator's review queue).
REVIEW_ROLES = frozenset({OWNER, ADMIN, REVIEWER})
