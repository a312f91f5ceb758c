/*
 * zkc_bench: the load of `zk bench` driven by Apache ZooKeeper's C client (libzookeeper-mt),
 * as a reference. Creates COUNT znodes of SIZE bytes under BASE, then sets, gets, checks
 * (exists), lists (get_children) and deletes each, with WINDOW asynchronous requests in flight
 * on one session. Prints one JSON line per operation, with the fields `zk bench --json` uses:
 *   {"client":"c","op":"create","operations":N,"opsPerSecond":X,"elapsedSeconds":X,"cpuMicrosecondsPerOp":X}
 * CPU time is this process's user + system time (getrusage), all threads.
 *
 * With `get PATH` instead, it is a one-shot command: connects, prints the node's data, closes,
 * as `zk get PATH` does (cli_mt's batch mode, `cli_mt -h HOST -c 'get PATH'`, answers its get
 * with a connection loss, rc -4, against Apache ZooKeeper 3.8 here).
 *
 * usage: zkc_bench HOST:PORT [COUNT [SIZE [WINDOW [BASE]]]]
 *        zkc_bench HOST:PORT get PATH
 */
/* The synchronous calls (zoo_create, zoo_delete) exist in the multi-threaded library only. */
#define THREADED
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <zookeeper/zookeeper.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int connected;
static int in_flight;
static long failures;
static int first_error = ZOK;

static void on_session(zhandle_t *zh, int type, int state, const char *path, void *context) {
    (void)zh, (void)path, (void)context;
    if (type != ZOO_SESSION_EVENT) return;
    pthread_mutex_lock(&lock);
    connected = state == ZOO_CONNECTED_STATE ? 1 : (state == ZOO_CONNECTING_STATE ? 0 : -1);
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

/* One request answered: frees its slot in the window. */
static void done(int rc) {
    pthread_mutex_lock(&lock);
    if (rc != ZOK) {
        if (failures++ == 0) first_error = rc;
    }
    in_flight--;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

static void string_done(int rc, const char *value, const void *data) { (void)value, (void)data; done(rc); }
static void stat_done(int rc, const struct Stat *stat, const void *data) { (void)stat, (void)data; done(rc); }
static void data_done(int rc, const char *value, int length, const struct Stat *stat, const void *data) {
    (void)value, (void)length, (void)stat, (void)data;
    done(rc);
}
static void strings_done(int rc, const struct String_vector *strings, const void *data) {
    (void)strings, (void)data;
    done(rc);
}
static void void_done(int rc, const void *data) { (void)data; done(rc); }

enum operation { CREATE, SET, GET, EXISTS, CHILDREN, DELETE };
static const char *names[] = {"create", "set", "get", "exists", "children", "delete"};

static int submit(zhandle_t *zh, enum operation op, const char *path, const char *data, int size) {
    switch (op) {
    case CREATE: return zoo_acreate(zh, path, data, size, &ZOO_OPEN_ACL_UNSAFE, 0, string_done, NULL);
    case SET: return zoo_aset(zh, path, data, size, -1, stat_done, NULL);
    case GET: return zoo_aget(zh, path, 0, data_done, NULL);
    case EXISTS: return zoo_aexists(zh, path, 0, stat_done, NULL);
    case CHILDREN: return zoo_aget_children(zh, path, 0, strings_done, NULL);
    case DELETE: return zoo_adelete(zh, path, -1, void_done, NULL);
    }
    return ZBADARGUMENTS;
}

static double cpu_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static double wall_seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec + now.tv_nsec / 1e9;
}

/* Waits up to 10 s for the session; returns whether it is established. */
static int await_session(void) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10;
    pthread_mutex_lock(&lock);
    while (connected == 0 && pthread_cond_timedwait(&changed, &lock, &deadline) == 0) {}
    int ok = connected == 1;
    pthread_mutex_unlock(&lock);
    return ok;
}

/* The one-shot get: the node's data on stdout. */
static int get(const char *host, const char *path) {
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    zhandle_t *zh = zookeeper_init(host, on_session, 30000, NULL, NULL, 0);
    if (!zh || !await_session()) {
        fprintf(stderr, "zkc_bench: no session with %s\n", host);
        return 7;
    }
    static char buffer[1 << 20];
    int length = sizeof buffer;
    int rc = zoo_get(zh, path, 0, buffer, &length, NULL);
    if (rc != ZOK) {
        fprintf(stderr, "zkc_bench: get %s: %s\n", path, zerror(rc));
    } else if (length > 0) {
        fwrite(buffer, 1, length, stdout);
    }
    zoo_set_debug_level(0); /* quiet: the server's end of the closed session is logged as an error */
    zookeeper_close(zh);
    return rc == ZOK ? 0 : (rc == ZNONODE ? 2 : 1);
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[2], "get") == 0) return get(argv[1], argv[3]);
    if (argc < 2 || argc > 6) {
        fprintf(stderr, "usage: zkc_bench HOST:PORT [COUNT [SIZE [WINDOW [BASE]]]]\n       zkc_bench HOST:PORT get PATH\n");
        return 64;
    }
    const char *host = argv[1];
    long count = argc > 2 ? atol(argv[2]) : 10000;
    int size = argc > 3 ? atoi(argv[3]) : 100;
    int window = argc > 4 ? atoi(argv[4]) : 100;
    const char *base = argc > 5 ? argv[5] : "/zkc-bench";
    if (count <= 0 || size < 0 || window <= 0 || base[0] != '/' || strlen(base) > 200) {
        fprintf(stderr, "zkc_bench: COUNT and WINDOW must be positive, SIZE not negative, BASE a path\n");
        return 64;
    }
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    zhandle_t *zh = zookeeper_init(host, on_session, 30000, NULL, NULL, 0);
    if (!zh) {
        perror("zkc_bench: zookeeper_init");
        return 7;
    }
    if (!await_session()) {
        fprintf(stderr, "zkc_bench: no session with %s\n", host);
        return 7;
    }
    int rc = zoo_create(zh, base, NULL, -1, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
    if (rc != ZOK && rc != ZNODEEXISTS) {
        fprintf(stderr, "zkc_bench: create %s: %s\n", base, zerror(rc));
        return 1;
    }
    char **paths = malloc(sizeof(char *) * count);
    for (long i = 0; i < count; i++) {
        paths[i] = malloc(strlen(base) + 24);
        sprintf(paths[i], "%s/n%ld", base, i);
    }
    char *data = malloc(size > 0 ? size : 1);
    for (int i = 0; i < size; i++) data[i] = 'a' + i % 26;

    int status = 0;
    for (enum operation op = CREATE; op <= DELETE; op++) {
        double cpu = cpu_seconds(), start = wall_seconds();
        for (long i = 0; i < count; i++) {
            pthread_mutex_lock(&lock);
            while (in_flight >= window) pthread_cond_wait(&changed, &lock);
            in_flight++;
            pthread_mutex_unlock(&lock);
            rc = submit(zh, op, paths[i], data, size);
            if (rc != ZOK) done(rc);
        }
        pthread_mutex_lock(&lock);
        while (in_flight > 0) pthread_cond_wait(&changed, &lock);
        long failed = failures;
        failures = 0;
        pthread_mutex_unlock(&lock);
        double elapsed = wall_seconds() - start;
        cpu = cpu_seconds() - cpu;
        if (failed) {
            fprintf(stderr, "zkc_bench: %s: %ld of %ld failed, first with %s\n", names[op], failed, count,
                    zerror(first_error));
            status = 1;
        }
        printf("{\"client\":\"c\",\"op\":\"%s\",\"operations\":%ld,\"opsPerSecond\":%.1f,\"elapsedSeconds\":%.6f,"
               "\"cpuMicrosecondsPerOp\":%.2f}\n",
               names[op], count, count / elapsed, elapsed, cpu / count * 1e6);
        fflush(stdout);
    }
    zoo_delete(zh, base, -1);
    zoo_set_debug_level(0); /* quiet: the server's end of the closed session is logged as an error */
    zookeeper_close(zh);
    return status;
}
