-- The append-only trigger is per row, so TRUNCATE bypassed it; refuse TRUNCATE too.
CREATE TRIGGER "AuditEvent_no_truncate"
BEFORE TRUNCATE ON "AuditEvent"
FOR EACH STATEMENT EXECUTE FUNCTION "AuditEvent_refuse_change"();
