"""Starting and ending a mediation, and summoning departments, show on the case timeline."""

from concord.cases.models import CaseEvent
from concord.mediation.models import Mediator
from concord.mediation.services import finish_mediation, start_mediation
from concord.summons.services import summon


def test_mediation_and_summons_are_on_the_timeline(medical_case, persona):
    dispatcher = persona("dispatcher")
    mediator = Mediator.objects.filter(organisation__code="medical-mediation").first()
    mediation = start_mediation(medical_case, actor=dispatcher, mediators=[mediator])
    finish_mediation(mediation, actor=dispatcher, outcome="failed", note="双方分歧过大")
    summon(
        medical_case,
        actor=dispatcher,
        organisations=[persona("hrss").organisation],
        reason="请人社到场核实",
    )
    events = {e.action: e for e in CaseEvent.objects.filter(case=medical_case)}
    assert mediator.name in events["mediation_start"].comment
    assert events["mediation_end"].data["outcome"] == "failed"
    assert "双方分歧过大" in events["mediation_end"].comment
    assert "上虞区人力资源和社会保障局" in events["summon"].comment
    assert events["summon"].actor == dispatcher
