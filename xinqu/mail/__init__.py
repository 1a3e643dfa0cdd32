"""Mail: subscribers' deliveries, transports (SMTP, outbox), signed links, notices.

The functions other parts call:

- :func:`send_issue` delivers a built issue, exactly one copy per active subscriber;
- :func:`send_alert` mails the editor (``mail.editor``);
- :func:`send_confirmation` mails a pending subscriber their confirm link.
"""

from xinqu.mail.deliver import DeliveryReport, send_issue
from xinqu.mail.notices import alert_new_flags, send_alert, send_confirmation

__all__ = ["DeliveryReport", "alert_new_flags", "send_alert", "send_confirmation", "send_issue"]
