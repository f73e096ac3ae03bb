/* Shared declarations of the tl demo: lexer, symbol table, integer hash map, errors. */
#ifndef TL_VM_H
#define TL_VM_H
#include <stddef.h>
#include <stdint.h>

enum tok {
    TOK_EOF, TOK_NUMBER, TOK_IDENT, TOK_LET, TOK_WHILE, TOK_IF, TOK_ELSE, TOK_PRINT,
    TOK_PUT, TOK_GET, TOK_HAS, TOK_PLUS, TOK_MINUS, TOK_STAR, TOK_SLASH, TOK_PERCENT,
    TOK_LT, TOK_LE, TOK_GT, TOK_GE, TOK_EQ, TOK_NE, TOK_AMP, TOK_CARET, TOK_SHR,
    TOK_ASSIGN, TOK_LPAREN, TOK_RPAREN, TOK_LBRACE, TOK_RBRACE, TOK_SEMI, TOK_COMMA
};

struct token {
    enum tok kind;
    const char *start;
    size_t len;
    int64_t value;
};

struct lexer {
    const char *p;
    int line;
};

void lex_init(struct lexer *lx, const char *src);
struct token lex_next(struct lexer *lx);

struct symtab;
struct symtab *symtab_new(size_t capacity);
int symtab_lookup(const struct symtab *t, const char *name, size_t len);
void symtab_insert(struct symtab *t, const char *name, size_t len, int slot);
void symtab_free(struct symtab *t);

struct intmap;
struct intmap *intmap_new(size_t capacity);
void intmap_put(struct intmap *m, int64_t key, int64_t value);
int64_t intmap_get(const struct intmap *m, int64_t key, int64_t missing);
void intmap_free(struct intmap *m);

_Noreturn void fatal(const char *fmt, ...);
_Noreturn void fatal_at(int line, const char *fmt, ...);
#endif
