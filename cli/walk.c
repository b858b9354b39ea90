/*
 * Folder walking and output naming for the CLI: a folder X goes to a sibling X-scrubbed/
 * (or -o DIR) mirroring its tree; loose files go to scrubbed/ beside them (or -o DIR).
 * Symlinks and special files found in folders are passed over, never followed.
 */
#include "walk.h"
#include "i18n.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static char *join(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    int slash = la > 0 && a[la - 1] != '/';
    char *s = malloc(la + lb + 2);
    if (s == NULL) {
        cli_say(_("out of memory\n"));
        exit(1);
    }
    memcpy(s, a, la);
    if (slash)
        s[la++] = '/';
    memcpy(s + la, b, lb + 1);
    return s;
}

static char *xstrdup(const char *s) {
    char *d = strdup(s);
    if (d == NULL) {
        cli_say(_("out of memory\n"));
        exit(1);
    }
    return d;
}

static size_t rename_counter;

static int photo_extension(const char *name) {
    static const char *const exts[] = {".jpg",  ".jpeg", ".jpe",  ".png", ".heic",
                                       ".heif", ".hif",  ".avif", ".webp"};
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof exts / sizeof exts[0]; i++)
        if (strcasecmp(dot, exts[i]) == 0)
            return 1;
    return 0;
}

/* The output file name: the input's, or photo-NNNN with the input's extension. Only files
 * named like photos are numbered, so other files met in folders (skipped later) do not leave
 * gaps in the numbering. */
static char *out_name(const char *base, const walk_opts *o) {
    if (!o->rename || !photo_extension(base))
        return xstrdup(base);
    const char *dot = strrchr(base, '.');
    char ext[16] = "";
    if (dot && strlen(dot) < sizeof ext) {
        for (size_t i = 0; dot[i]; i++)
            ext[i] = (char)((dot[i] >= 'A' && dot[i] <= 'Z') ? dot[i] + 32 : dot[i]);
    }
    char buf[64];
    snprintf(buf, sizeof buf, "photo-%04zu%s", ++rename_counter, ext);
    return xstrdup(buf);
}

static void push(job_list *jl, char *in, char *out, int from_walk) {
    if (jl->n == jl->cap) {
        size_t ncap = jl->cap ? jl->cap * 2 : 64;
        job *nv = realloc(jl->v, ncap * sizeof *nv);
        if (nv == NULL) {
            cli_say(_("out of memory\n"));
            exit(1);
        }
        jl->v = nv;
        jl->cap = ncap;
    }
    jl->v[jl->n++] = (job){in, out, from_walk, -1, realpath(in, NULL)};
}

static int skip_name(const char *name) {
    return strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strstr(name, ".psc-tmp-") != NULL;
}

typedef struct walk_ctx {
    job_list *jl;
    const walk_opts *o;
    struct stat out_root; /* output root, to avoid walking into our own results */
    int has_out_root;
} walk_ctx;

/* Byte order, not alphasort's strcoll: the order of a folder's files (and so the output
 * lines, JSON and --rename numbers) must not change with the user's language. */
static int name_order(const struct dirent **a, const struct dirent **b) {
    return strcmp((*a)->d_name, (*b)->d_name);
}

static void walk_dir(walk_ctx *w, const char *dir, const char *outdir, int depth) {
    if (depth > 64) {
        cli_say(_("%s: folders nested too deep, not descending\n"), dir);
        w->jl->walk_errors++;
        return;
    }
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, name_order);
    if (n < 0) {
        cli_say(_("%s: cannot read folder: %s\n"), dir, strerror(errno));
        w->jl->walk_errors++;
        return;
    }
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        if (skip_name(name))
            goto next;
        char *path = join(dir, name);
        struct stat sb;
        if (lstat(path, &sb) != 0) {
            free(path);
            goto next;
        }
        if (S_ISDIR(sb.st_mode)) {
            if (w->has_out_root && sb.st_dev == w->out_root.st_dev &&
                sb.st_ino == w->out_root.st_ino) {
                free(path);
                goto next;
            }
            char *sub = outdir ? join(outdir, name) : NULL;
            walk_dir(w, path, sub, depth + 1);
            free(sub);
            free(path);
        } else if (S_ISREG(sb.st_mode)) {
            char *out = NULL;
            if (outdir) {
                char *nm = out_name(name, w->o);
                out = join(outdir, nm);
                free(nm);
            } else if (w->o->in_place) {
                out = xstrdup(path);
            }
            push(w->jl, path, out, 1);
        } else {
            if (!w->o->quiet)
                cli_say(_("%s: skipped (%s)\n"), path,
                        S_ISLNK(sb.st_mode) ? _("symbolic link, not followed")
                                            : _("not a regular file"));
            w->jl->skipped_special++;
            free(path);
        }
    next:
        free(names[i]);
    }
    free(names);
}

int walk_add(job_list *jl, const char *path, const walk_opts *o) {
    struct stat sb;
    if (stat(path, &sb) != 0) {
        cli_say("%s: %s\n", path, strerror(errno));
        return -1;
    }
    /* Work on a copy without trailing slashes so "X/" maps to "X-scrubbed". */
    char *p = xstrdup(path);
    size_t len = strlen(p);
    while (len > 1 && p[len - 1] == '/')
        p[--len] = '\0';
    if (S_ISDIR(sb.st_mode)) {
        /* "." or "..": name the sibling after the real folder, not ".-scrubbed". */
        const char *last = strrchr(p, '/');
        last = last ? last + 1 : p;
        if (strcmp(last, ".") == 0 || strcmp(last, "..") == 0) {
            char *real = realpath(p, NULL);
            if (real != NULL && strcmp(real, "/") != 0) {
                free(p);
                p = real;
                len = strlen(p);
            } else {
                free(real);
            }
        }
        walk_ctx w = {jl, o, {0}, 0};
        char *outroot = NULL;
        if (!o->no_output && !o->in_place) {
            if (o->out_dir) {
                outroot = xstrdup(o->out_dir);
            } else {
                outroot = malloc(len + 10);
                if (outroot == NULL)
                    exit(1);
                snprintf(outroot, len + 10, "%s-scrubbed", p);
            }
            if (stat(outroot, &w.out_root) == 0)
                w.has_out_root = 1;
        }
        walk_dir(&w, p, outroot, 0);
        free(outroot);
        free(p);
        return 0;
    }
    if (!S_ISREG(sb.st_mode)) {
        cli_say(_("%s: not a regular file or folder\n"), path);
        free(p);
        return -1;
    }
    char *out = NULL;
    if (!o->no_output) {
        const char *slash = strrchr(p, '/');
        const char *base = slash ? slash + 1 : p;
        char *nm = out_name(base, o);
        if (o->in_place) {
            out = xstrdup(p);
        } else if (o->out_dir) {
            out = join(o->out_dir, nm);
        } else {
            char *dir = slash ? strndup(p, (size_t)(slash - p + 1)) : xstrdup("");
            char *sd = join(dir, "scrubbed");
            out = join(sd, nm);
            free(dir);
            free(sd);
        }
        free(nm);
    }
    push(jl, p, out, 0);
    return 0;
}

static job *sort_base;
static int cmp_out(const void *a, const void *b) {
    size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
    int c = strcmp(sort_base[ia].out, sort_base[ib].out);
    if (c)
        return c;
    return ia < ib ? -1 : ia > ib;
}

static int cmp_real(const void *a, const void *b) {
    size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
    int c = strcmp(sort_base[ia].real, sort_base[ib].real);
    if (c)
        return c;
    return ia < ib ? -1 : ia > ib;
}

void walk_mark_duplicates(job_list *jl) {
    size_t m = 0;
    size_t *idx = malloc((jl->n ? jl->n : 1) * sizeof *idx);
    if (idx == NULL)
        exit(1);
    for (size_t i = 0; i < jl->n; i++)
        if (jl->v[i].out)
            idx[m++] = i;
    sort_base = jl->v;
    qsort(idx, m, sizeof *idx, cmp_out);
    for (size_t k = 1; k < m; k++)
        if (strcmp(jl->v[idx[k]].out, jl->v[idx[k - 1]].out) == 0)
            jl->v[idx[k]].dup_of =
                jl->v[idx[k - 1]].dup_of >= 0 ? jl->v[idx[k - 1]].dup_of : (int)idx[k - 1];
    /* The same file given twice, spelled differently (a.jpg, ./a.jpg, a link to it). */
    m = 0;
    for (size_t i = 0; i < jl->n; i++)
        if (jl->v[i].real && jl->v[i].dup_of < 0)
            idx[m++] = i;
    qsort(idx, m, sizeof *idx, cmp_real);
    for (size_t k = 1; k < m; k++)
        if (strcmp(jl->v[idx[k]].real, jl->v[idx[k - 1]].real) == 0)
            jl->v[idx[k]].dup_of = (int)idx[k - 1];
    free(idx);
}

void walk_free(job_list *jl) {
    for (size_t i = 0; i < jl->n; i++) {
        free(jl->v[i].in);
        free(jl->v[i].out);
        free(jl->v[i].real);
    }
    free(jl->v);
    jl->v = NULL;
    jl->n = jl->cap = 0;
}

int make_parents(const char *path) {
    char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            int e = errno;
            free(p);
            errno = e;
            return -1;
        }
        *s = '/';
    }
    free(p);
    return 0;
}
