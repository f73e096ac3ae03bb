/* The tl tokenizer: hand-written, keyword lookup by length then memcmp. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vm.h"

static const struct { const char *word; enum tok kind; } keywords[] = {
    {"let", TOK_LET}, {"while", TOK_WHILE}, {"if", TOK_IF}, {"else", TOK_ELSE},
    {"print", TOK_PRINT}, {"put", TOK_PUT}, {"get", TOK_GET}, {"has", TOK_HAS},
};

void lex_init(struct lexer *lx, const char *src) {
    lx->p = src;
    lx->line = 1;
}

static void skip_space_and_comments(struct lexer *lx) {
    for (;;) {
        char ch = *lx->p;
        if (ch == '\n') { lx->line++; lx->p++; }
        else if (ch == ' ' || ch == '\t' || ch == '\r') lx->p++;
        else if (ch == '#') { while (*lx->p && *lx->p != '\n') lx->p++; }
        else return;
    }
}

static enum tok keyword_or_ident(const char *s, size_t len) {
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (strlen(keywords[i].word) == len && memcmp(keywords[i].word, s, len) == 0)
            return keywords[i].kind;
    return TOK_IDENT;
}

static struct token two_char(struct lexer *lx, char next, enum tok both, enum tok one) {
    struct token t = { .start = lx->p, .len = 1, .kind = one };
    if (lx->p[1] == next) { t.kind = both; t.len = 2; }
    lx->p += t.len;
    return t;
}

struct token lex_next(struct lexer *lx) {
    skip_space_and_comments(lx);
    struct token t = { .start = lx->p, .len = 1 };
    char ch = *lx->p;
    if (ch == 0) { t.kind = TOK_EOF; t.len = 0; return t; }
    if (isdigit((unsigned char)ch)) {
        int64_t v = 0;
        while (isdigit((unsigned char)*lx->p)) v = v * 10 + (*lx->p++ - '0');
        t.kind = TOK_NUMBER; t.value = v; t.len = (size_t)(lx->p - t.start);
        return t;
    }
    if (isalpha((unsigned char)ch) || ch == '_') {
        while (isalnum((unsigned char)*lx->p) || *lx->p == '_') lx->p++;
        t.len = (size_t)(lx->p - t.start);
        t.kind = keyword_or_ident(t.start, t.len);
        return t;
    }
    switch (ch) {
    case '<': return two_char(lx, '=', TOK_LE, TOK_LT);
    case '=': return two_char(lx, '=', TOK_EQ, TOK_ASSIGN);
    case '!':
        if (lx->p[1] != '=') fatal_at(lx->line, "expected '!='");
        return two_char(lx, '=', TOK_NE, TOK_NE);
    case '>':
        if (lx->p[1] == '>') { lx->p += 2; t.kind = TOK_SHR; t.len = 2; return t; }
        return two_char(lx, '=', TOK_GE, TOK_GT);
    case '+': t.kind = TOK_PLUS; break;
    case '-': t.kind = TOK_MINUS; break;
    case '*': t.kind = TOK_STAR; break;
    case '/': t.kind = TOK_SLASH; break;
    case '%': t.kind = TOK_PERCENT; break;
    case '&': t.kind = TOK_AMP; break;
    case '^': t.kind = TOK_CARET; break;
    case '(': t.kind = TOK_LPAREN; break;
    case ')': t.kind = TOK_RPAREN; break;
    case '{': t.kind = TOK_LBRACE; break;
    case '}': t.kind = TOK_RBRACE; break;
    case ';': t.kind = TOK_SEMI; break;
    case ',': t.kind = TOK_COMMA; break;
    default: fatal_at(lx->line, "unexpected character '%c'", ch);
    }
    lx->p++;
    return t;
}

_Noreturn void fatal(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("tl: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

_Noreturn void fatal_at(int line, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "tl: line %d: ", line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}
