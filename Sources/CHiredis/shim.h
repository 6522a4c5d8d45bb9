// hiredis from Debian's libhiredis-dev (the synchronous API; each connection is owned by one thread).
#include <hiredis/hiredis.h>
