/*
 * The threaded test's driver: a thread-safe PHP (embed SAPI) running THREADS PHP threads at once,
 * each serving ROUNDS requests of thread.php's closure one after the other, as a threaded server
 * (FrankenPHP and the like) does. Prints one line per request (what the closure returned) and
 * exits non-zero if PHP could not start or a request did not return its report.
 *   threads INI_FILE SCRIPT THREADS ROUNDS
 */
#define _GNU_SOURCE /* as PHP itself is built: its headers use memrchr */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sapi/embed/php_embed.h>

static const char *script;
static int rounds;

struct worker {
    pthread_t thread;
    int number;
    int reports; /* requests whose closure returned its report string */
};

/* One request: (require SCRIPT)(thread, round), its string result printed as one line. */
static int run_request(int thread, int round) {
    char code[4096];
    zval result;
    int reported = 0;

    if (php_request_startup() == FAILURE) {
        fprintf(stderr, "thread %d: request startup failed\n", thread);
        return 0;
    }
    SG(headers_sent) = 1;
    SG(request_info).no_headers = 1;
    snprintf(code, sizeof code, "(require '%s')(%d, %d)", script, thread, round);
    ZVAL_UNDEF(&result);
    zend_try {
        if (zend_eval_string_ex(code, &result, "threads.c", 1) == SUCCESS && Z_TYPE(result) == IS_STRING) {
            printf("%s\n", Z_STRVAL(result));
            fflush(stdout);
            reported = 1;
        }
        zval_ptr_dtor(&result);
    } zend_end_try();
    php_request_shutdown(NULL);
    return reported;
}

static void *serve(void *arg) {
    struct worker *worker = arg;
    /* A thread's own PHP globals (TSRM), made before and freed after its requests. */
    (void) ts_resource(0);
    for (int round = 0; round < rounds; round++) {
        worker->reports += run_request(worker->number, round);
    }
    ts_free_thread();
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s INI_FILE SCRIPT THREADS ROUNDS\n", argv[0]);
        return 2;
    }
    script = argv[2];
    int threads = atoi(argv[3]);
    rounds = atoi(argv[4]);
    struct worker *workers = calloc(threads, sizeof *workers);

    php_embed_module.php_ini_path_override = argv[1];
    if (php_embed_init(0, NULL) == FAILURE) {
        fprintf(stderr, "PHP embed startup failed\n");
        return 1;
    }
    for (int i = 0; i < threads; i++) {
        workers[i].number = i;
        if (pthread_create(&workers[i].thread, NULL, serve, &workers[i]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 1;
        }
    }
    int reports = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(workers[i].thread, NULL);
        reports += workers[i].reports;
    }
    php_embed_shutdown();
    printf("requests reported: %d of %d\n", reports, threads * rounds);
    free(workers);
    return reports == threads * rounds ? 0 : 1;
}
