// glibc's malloc tuning (mallopt and its M_* parameters), for flowrun's MemoryTuning.
#include <malloc.h>

// The parameters are macros of negative ints, which Swift does not import: as constants.
static const int flowrun_m_trim_threshold = M_TRIM_THRESHOLD;
static const int flowrun_m_mmap_threshold = M_MMAP_THRESHOLD;
