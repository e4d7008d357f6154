/* CREATE/INSERT/DROP/TRUNCATE/SHOW/DESCRIBE on Iceberg tables; see table/sqlrun.h.
 * Not implemented yet: statements that would write an Iceberg table are refused
 * with a pointer to the ldp table commands; the rest run in DuckDB. */
#include "ldp/error.h"
#include "table/sqlrun.h"

int ldp_sql_handle_ddl(ldp_sql_session *s, ldp_sql_kind kind, const char *stmt, ldp_sql_outcome *out)
{
	(void)out;
	if (kind != LDP_SQLK_INSERT && kind != LDP_SQLK_DROP_TABLE && kind != LDP_SQLK_TRUNCATE)
		return LDP_SQL_PASS;
	ldp_ident id;
	int found = 0;
	int rc = ldp_sql_first_table(s, stmt, &id, &found);
	if (rc)
		return rc;
	if (!found)
		return LDP_SQL_PASS;
	return ldp_error_set(LDP_EUNSUPPORTED,
			     "%s on Iceberg table %s.%s is not supported in ldp sql yet (use 'ldp table append|overwrite|drop')",
			     ldp_sql_kind_name(kind), id.ns, id.name);
}
