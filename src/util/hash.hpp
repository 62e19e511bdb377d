// XXH3 (Debian's libxxhash-dev) inlined from its header alone: no library
// to link, and no dependency of the binary or its package. The import's
// fingerprints and the change log's lists of fields hash with it.
#pragma once

#define XXH_INLINE_ALL
#include <xxhash.h>
