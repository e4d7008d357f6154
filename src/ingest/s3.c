/* `ldp ingest s3://...`: the S3 source driver. It hands the reader local
 * copies of the objects the URI names (an object, a prefix, or a glob; see
 * io/s3_fetch.c), streamed into the cache directory and deleted after the
 * ingest (temporary). Endpoint, region and profile come from ldp.yml's s3:
 * mapping (applied when the warehouse opened) and the AWS environment. */
#include <stdio.h>
#include <stdlib.h>

#include "ingest/ingest.h"
#include "io/s3_fetch.h"
#include "ldp/error.h"

int ldp_ingest_fetch_s3(const char *uri, const ldp_ingest_options *o, ldp_ingest_files *out)
{
	ldp_s3_fetched f;
	int rc = ldp_s3_fetch(uri, &f, o ? o->progress : NULL, o ? o->progress_ctx : NULL);
	if (rc)
		return rc;
	/* from here on out owns the files: they go when the ingest is done */
	out->temporary = 1;
	for (size_t i = 0; i < f.n; i++) {
		if (!rc)
			rc = ldp_ingest_files_add(out, f.paths[i]);
		if (rc) /* not handed over */
			remove(f.paths[i]);
		free(f.paths[i]);
	}
	free(f.paths);
	return rc;
}
