/*
 * Turns the paths on the command line into a list of jobs: which file to read, where its
 * clean copy goes, and whether it came from a folder walk.
 */
#ifndef PSC_CLI_WALK_H
#define PSC_CLI_WALK_H

#include <stddef.h>

typedef struct job {
    char *in;      /* file to read */
    char *out;     /* where the clean copy goes (NULL for inspect) */
    int from_walk; /* found while walking a folder (non-photos are skipped, not failures) */
    int dup_of;    /* index of an earlier job with the same output or input, or -1 */
    char *real;    /* resolved input path (to spot one file given twice), or NULL */
} job;

typedef struct job_list {
    job *v;
    size_t n, cap;
    size_t skipped_special; /* symlinks and special files passed over in folders */
    size_t walk_errors;     /* folders that could not be read or were too deep */
} job_list;

typedef struct walk_opts {
    const char *out_dir; /* -o DIR, or NULL */
    int in_place;
    int rename;    /* neutral names photo-0001.ext */
    int no_output; /* inspect: only list inputs */
    int quiet;
} walk_opts;

/* Adds the jobs for one command-line path. Returns 0, or -1 after printing why to stderr. */
int walk_add(job_list *jl, const char *path, const walk_opts *o);
/* Marks jobs whose output collides with an earlier job's (same file given twice, or two
 * folders holding the same name). */
void walk_mark_duplicates(job_list *jl);
void walk_free(job_list *jl);
/* Creates the parent folders of a file path (mkdir -p). Returns 0 or -1 with errno. */
int make_parents(const char *path);

#endif
