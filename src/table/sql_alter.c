/* ALTER TABLE on Iceberg tables; see table/sqlrun.h. Not implemented yet. */
#include "ldp/error.h"
#include "table/sqlrun.h"

int ldp_sql_handle_alter(ldp_sql_session *s, ldp_sql_kind kind, const char *stmt, ldp_sql_outcome *out)
{
	(void)out;
	ldp_ident id;
	int found = 0;
	int rc = ldp_sql_first_table(s, stmt, &id, &found);
	if (rc)
		return rc;
	if (!found)
		return LDP_SQL_PASS;
	return ldp_error_set(LDP_EUNSUPPORTED, "%s on Iceberg table %s.%s is not supported in ldp sql yet",
			     ldp_sql_kind_name(kind), id.ns, id.name);
}
