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


ROLE_LABELS = {
    Role.LEARNER: "Learner",
    Role.ASSESSOR: "Assessor",
    Role.IQA: "Internal quality assurer (IQA)",
    Role.CENTRE_ADMIN: "Centre admin / trainer",
    Role.SITE_ADMIN: "Site admin",
}

CENTRE_ROLES = (Role.LEARNER, Role.ASSESSOR, Role.IQA, Role.CENTRE_ADMIN)
