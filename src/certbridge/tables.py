"""Every table of the application, gathered so migrations and checks see the whole schema."""

from certbridge.accreditation import models as accreditation_models  # noqa: F401
from certbridge.audit import models as audit_models  # noqa: F401
from certbridge.auth import models as auth_models  # noqa: F401
from certbridge.certificates import models as certificate_models  # noqa: F401
from certbridge.complaints import models as complaint_models  # noqa: F401
from certbridge.credit import models as credit_models  # noqa: F401
from certbridge.db import Base
from certbridge.ledger import journal  # noqa: F401  (the event journal's table)
from certbridge.jobs import models as job_models  # noqa: F401
from certbridge.ledger import models as ledger_models  # noqa: F401
from certbridge.ledger import state_map as state_map_models  # noqa: F401
from certbridge.licensing import case_models as licensing_case_models  # noqa: F401
from certbridge.licensing import models as licensing_models  # noqa: F401
from certbridge.licensing import workday_notices as workday_notice_models  # noqa: F401
from certbridge.proficiency import models as proficiency_models  # noqa: F401
from certbridge.opendata import quotas as opendata_quota_models  # noqa: F401
from certbridge.opendata.feeds import models as feed_models  # noqa: F401
from certbridge.federation import models as federation_models  # noqa: F401
from certbridge.federation import assistance_models as federation_assistance_models  # noqa: F401
from certbridge.federation import recognition as federation_recognition_models  # noqa: F401
from certbridge.stats import models as stats_models  # noqa: F401
from certbridge.registry import models as registry_models  # noqa: F401
from certbridge.standards import models as standard_models  # noqa: F401
from certbridge.risk import models as risk_models  # noqa: F401
from certbridge.supervision import models as supervision_models  # noqa: F401
from certbridge.zones import models as zone_models  # noqa: F401

metadata = Base.metadata
