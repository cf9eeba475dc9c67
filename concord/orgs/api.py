from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from concord.cases.models import Category

from .models import Organisation, OrgKind

router = Router()


class OrganisationOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    division: str = Field(alias="division_id")
    level: str = Field(alias="division.level")
    parent: int | None = Field(alias="parent_id")


class CategoryOut(Schema):
    code: str
    name: str
    parent: str | None = Field(alias="parent.code", default=None)


@router.get("/orgs", response=list[OrganisationOut])
def list_organisations(
    request: HttpRequest,
    division: str | None = Query(None, max_length=12, pattern=r"^\d{12}$"),
    kind: OrgKind | None = None,
):
    """Active organisations, filtered by the division they sit on and by kind."""
    orgs = Organisation.objects.filter(active=True).select_related("division")
    if division:
        orgs = orgs.filter(division_id=division)
    if kind:
        orgs = orgs.filter(kind=kind)
    return orgs


@router.get("/categories", response=list[CategoryOut])
def list_categories(request: HttpRequest):
    """The two-level category tree, in display order."""
    return Category.objects.filter(active=True).select_related("parent")
