"""The roles a user can hold. Kept apart from authz so models can import it without a cycle."""

import enum


class Role(enum.StrEnum):
    LEARNER = "learner"
    ASSESSOR = "assessor"
    IQA = "iqa"
    CENTRE_ADMIN = "centre_admin"
    SITE_ADMIN = "site_admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def in_prose(self) -> str:
        """The role as a sentence names it: "an active IQA of this centre", "an assessor"."""
        return ROLE_IN_PROSE[self]


ROLE_LABELS = {
    Role.LEARNER: "Learner",
    Role.ASSESSOR: "Assessor",
    Role.IQA: "Internal quality assurer (IQA)",
    Role.CENTRE_ADMIN: "Centre admin / trainer",
    Role.SITE_ADMIN: "Site admin",
}

ROLE_IN_PROSE = {
    Role.LEARNER: "learner",
    Role.ASSESSOR: "assessor",
    Role.IQA: "IQA",
    Role.CENTRE_ADMIN: "centre admin",
    Role.SITE_ADMIN: "site admin",
}

CENTRE_ROLES = (Role.LEARNER, Role.ASSESSOR, Role.IQA, Role.CENTRE_ADMIN)
