// hiredis from Debian's libhiredis-dev (the synchronous API; each connection is owned by one thread).
#include <hiredis/hiredis.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// A reply arena for hiredis's reader: replies are parsed by hiredis as usual, but instead of a tree of
// malloc'ed redisReply objects, each element becomes a node appended (in pre-order) to one growing array,
// and each string's bytes are appended to one growing buffer. Both are kept between replies, so reading a
// reply allocates nothing once they are large enough. Installed with flowrun_reply_arena_install.
//
// An object handed back to hiredis is the node's index + 1 (never NULL, which hiredis takes as out of
// memory). The nodes of a complete reply are read, then the arena is reset before the next reply.

typedef struct {
    int type;            // REDIS_REPLY_STRING, _ARRAY, _INTEGER, _NIL, _STATUS or _ERROR
    long long value;     // _INTEGER: the integer; _ARRAY: the number of elements
    size_t offset;       // _STRING, _STATUS, _ERROR: where the bytes start in the arena's buffer
    size_t length;       // and how many there are
} flowrun_reply_node;

typedef struct {
    flowrun_reply_node *nodes;
    size_t count;
    size_t capacity;
    char *bytes;
    size_t used;
    size_t bytes_capacity;
} flowrun_reply_arena;

static inline void *flowrun_reply_arena_append(
    const redisReadTask *task, int type, long long value, const char *str, size_t length
) {
    flowrun_reply_arena *arena = (flowrun_reply_arena *)task->privdata;
    if (arena->count == arena->capacity) {
        size_t capacity = arena->capacity ? arena->capacity * 2 : 1024;
        flowrun_reply_node *nodes = (flowrun_reply_node *)realloc(arena->nodes, capacity * sizeof(flowrun_reply_node));
        if (nodes == NULL) return NULL;
        arena->nodes = nodes;
        arena->capacity = capacity;
    }
    size_t offset = arena->used;
    if (str != NULL && length > 0) {
        if (arena->bytes_capacity - arena->used < length) {
            size_t capacity = arena->bytes_capacity ? arena->bytes_capacity : 16384;
            while (capacity - arena->used < length) capacity *= 2;
            char *bytes = (char *)realloc(arena->bytes, capacity);
            if (bytes == NULL) return NULL;
            arena->bytes = bytes;
            arena->bytes_capacity = capacity;
        }
        memcpy(arena->bytes + arena->used, str, length);
        arena->used += length;
    }
    flowrun_reply_node *node = &arena->nodes[arena->count];
    node->type = type;
    node->value = value;
    node->offset = offset;
    node->length = str != NULL ? length : 0;
    arena->count += 1;
    return (void *)(uintptr_t)arena->count;
}

static inline void *flowrun_reply_create_string(const redisReadTask *task, char *str, size_t length) {
    return flowrun_reply_arena_append(task, task->type, 0, str, length);
}

static inline void *flowrun_reply_create_array(const redisReadTask *task, int elements) {
    return flowrun_reply_arena_append(task, REDIS_REPLY_ARRAY, elements, NULL, 0);
}

static inline void *flowrun_reply_create_integer(const redisReadTask *task, long long value) {
    return flowrun_reply_arena_append(task, REDIS_REPLY_INTEGER, value, NULL, 0);
}

static inline void *flowrun_reply_create_nil(const redisReadTask *task) {
    return flowrun_reply_arena_append(task, REDIS_REPLY_NIL, 0, NULL, 0);
}

// The nodes belong to the arena, which is reset between replies: nothing to free one by one.
static inline void flowrun_reply_free_object(void *object) { (void)object; }

static redisReplyObjectFunctions flowrun_reply_functions = {
    flowrun_reply_create_string,
    flowrun_reply_create_array,
    flowrun_reply_create_integer,
    flowrun_reply_create_nil,
    flowrun_reply_free_object,
};

static inline flowrun_reply_arena *flowrun_reply_arena_create(void) {
    return (flowrun_reply_arena *)calloc(1, sizeof(flowrun_reply_arena));
}

static inline void flowrun_reply_arena_reset(flowrun_reply_arena *arena) {
    arena->count = 0;
    arena->used = 0;
}

static inline void flowrun_reply_arena_free(flowrun_reply_arena *arena) {
    if (arena == NULL) return;
    free(arena->nodes);
    free(arena->bytes);
    free(arena);
}

// Makes `context`'s reader build its replies in `arena` (which must outlive the context).
static inline void flowrun_reply_arena_install(redisContext *context, flowrun_reply_arena *arena) {
    context->reader->fn = &flowrun_reply_functions;
    context->reader->privdata = arena;
}
