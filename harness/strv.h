/*
 * strv: NULL-terminated vectors of strings (argv, env, lists read from YAML),
 * each string and the vector malloc'd.
 */
#ifndef SC_STRV_H
#define SC_STRV_H

/* Frees every string and the vector; NULL is fine. */
void strv_free(char **v);
/* A deep copy, or NULL when out of memory. */
char **strv_dup(char *const *v);

#endif
