/* tl: a tiny language (tokenizer, single-pass compiler to bytecode, stack VM, hash tables).
 * The temper demo project: small, self-contained, with the shape PGO and BOLT pay off on in
 * real interpreters: a switch-dispatched loop, variables looked up by name at run time (as
 * dynamic languages look up globals), hash tables across translation units, cold error paths. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vm.h"

enum op {
    OP_CONST, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD,
    OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE, OP_AND, OP_XOR, OP_SHR,
    OP_JMP, OP_JZ, OP_PRINT, OP_PUT, OP_GET, OP_HAS, OP_POP, OP_HALT
};

static const char *const op_names[] = {
    "const", "load", "store", "add", "sub", "mul", "div", "mod", "lt", "le", "gt", "ge",
    "eq", "ne", "and", "xor", "shr", "jmp", "jz", "print", "put", "get", "has", "pop", "halt"
};

struct program {
    int32_t *code;
    size_t len, cap;
    int nvars;
    /* Variable names, resolved at run time through the globals table (like LOAD_GLOBAL). */
    struct token names[64];
    int nnames;
};

static void emit(struct program *p, int32_t word) {
    if (p->len == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 256;
        p->code = realloc(p->code, p->cap * sizeof *p->code);
        if (!p->code) fatal("out of memory");
    }
    p->code[p->len++] = word;
}

/* ---- compiler: recursive descent over the token stream, emitting bytecode directly ---- */

struct compiler {
    struct lexer lx;
    struct token tok;
    struct program *prog;
    struct symtab *vars;
};

static void advance(struct compiler *c) { c->tok = lex_next(&c->lx); }

static void expect(struct compiler *c, enum tok kind, const char *what) {
    if (c->tok.kind != kind) fatal_at(c->lx.line, "expected %s", what);
    advance(c);
}

/* Returns the index of the variable's name in the program's name table. */
static int var_slot(struct compiler *c, const struct token *t, int define) {
    int slot = symtab_lookup(c->vars, t->start, t->len);
    if (slot >= 0) return slot;
    if (!define) fatal_at(c->lx.line, "undefined variable '%.*s'", (int)t->len, t->start);
    if (c->prog->nnames == 64) fatal_at(c->lx.line, "too many variables");
    slot = c->prog->nnames++;
    c->prog->names[slot] = *t;
    c->prog->nvars++;
    symtab_insert(c->vars, t->start, t->len, slot);
    return slot;
}

static void expression(struct compiler *c);

static void primary(struct compiler *c) {
    struct token t = c->tok;
    switch (t.kind) {
    case TOK_NUMBER:
        emit(c->prog, OP_CONST);
        emit(c->prog, (int32_t)t.value);
        advance(c);
        break;
    case TOK_IDENT:
        advance(c);
        emit(c->prog, OP_LOAD);
        emit(c->prog, var_slot(c, &t, 0));
        break;
    case TOK_GET: case TOK_HAS:
        advance(c);
        expect(c, TOK_LPAREN, "'('");
        expression(c);
        expect(c, TOK_RPAREN, "')'");
        emit(c->prog, t.kind == TOK_GET ? OP_GET : OP_HAS);
        break;
    case TOK_LPAREN:
        advance(c);
        expression(c);
        expect(c, TOK_RPAREN, "')'");
        break;
    default:
        fatal_at(c->lx.line, "unexpected token in expression");
    }
}

static int binary_op(enum tok kind, int *prec) {
    switch (kind) {
    case TOK_STAR: *prec = 5; return OP_MUL;
    case TOK_SLASH: *prec = 5; return OP_DIV;
    case TOK_PERCENT: *prec = 5; return OP_MOD;
    case TOK_PLUS: *prec = 4; return OP_ADD;
    case TOK_MINUS: *prec = 4; return OP_SUB;
    case TOK_SHR: *prec = 4; return OP_SHR;
    case TOK_LT: *prec = 3; return OP_LT;
    case TOK_LE: *prec = 3; return OP_LE;
    case TOK_GT: *prec = 3; return OP_GT;
    case TOK_GE: *prec = 3; return OP_GE;
    case TOK_EQ: *prec = 2; return OP_EQ;
    case TOK_NE: *prec = 2; return OP_NE;
    case TOK_AMP: *prec = 1; return OP_AND;
    case TOK_CARET: *prec = 1; return OP_XOR;
    default: return -1;
    }
}

static void binary(struct compiler *c, int min_prec) {
    primary(c);
    for (;;) {
        int prec, op = binary_op(c->tok.kind, &prec);
        if (op < 0 || prec < min_prec) return;
        advance(c);
        binary(c, prec + 1);
        emit(c->prog, op);
    }
}

static void expression(struct compiler *c) { binary(c, 1); }

static void statement(struct compiler *c);

static void block(struct compiler *c) {
    expect(c, TOK_LBRACE, "'{'");
    while (c->tok.kind != TOK_RBRACE && c->tok.kind != TOK_EOF) statement(c);
    expect(c, TOK_RBRACE, "'}'");
}

static void statement(struct compiler *c) {
    struct token t = c->tok;
    switch (t.kind) {
    case TOK_LET: case TOK_IDENT: {
        if (t.kind == TOK_LET) advance(c);
        struct token name = c->tok;
        expect(c, TOK_IDENT, "a variable name");
        expect(c, TOK_ASSIGN, "'='");
        expression(c);
        expect(c, TOK_SEMI, "';'");
        emit(c->prog, OP_STORE);
        emit(c->prog, var_slot(c, &name, t.kind == TOK_LET));
        break;
    }
    case TOK_PRINT:
        advance(c);
        expression(c);
        expect(c, TOK_SEMI, "';'");
        emit(c->prog, OP_PRINT);
        break;
    case TOK_PUT:
        advance(c);
        expect(c, TOK_LPAREN, "'('");
        expression(c);
        expect(c, TOK_COMMA, "','");
        expression(c);
        expect(c, TOK_RPAREN, "')'");
        expect(c, TOK_SEMI, "';'");
        emit(c->prog, OP_PUT);
        break;
    case TOK_WHILE: case TOK_IF: {
        advance(c);
        size_t top = c->prog->len;
        expect(c, TOK_LPAREN, "'('");
        expression(c);
        expect(c, TOK_RPAREN, "')'");
        emit(c->prog, OP_JZ);
        size_t patch = c->prog->len;
        emit(c->prog, 0);
        block(c);
        if (t.kind == TOK_WHILE) {
            emit(c->prog, OP_JMP);
            emit(c->prog, (int32_t)top);
        } else if (c->tok.kind == TOK_ELSE) {
            advance(c);
            emit(c->prog, OP_JMP);
            size_t skip = c->prog->len;
            emit(c->prog, 0);
            c->prog->code[patch] = (int32_t)c->prog->len;
            block(c);
            c->prog->code[skip] = (int32_t)c->prog->len;
            break;
        }
        c->prog->code[patch] = (int32_t)c->prog->len;
        break;
    }
    default:
        fatal_at(c->lx.line, "unexpected token at start of statement");
    }
}

static void compile(const char *src, struct program *prog) {
    struct compiler c = { .prog = prog, .vars = symtab_new(64) };
    lex_init(&c.lx, src);
    advance(&c);
    while (c.tok.kind != TOK_EOF) statement(&c);
    emit(prog, OP_HALT);
    symtab_free(c.vars);
}

/* ---- virtual machine ---- */

static int64_t run(const struct program *p, struct intmap *heap, FILE *out) {
    int64_t stack[256], *sp = stack;
    int64_t *vars = calloc((size_t)p->nvars + 1, sizeof *vars);
    const int32_t *pc = p->code;
    int64_t checksum = 0, a, b;
    const struct token *name;
    /* Globals live in a table keyed by name; each access hashes the name, as dynamic
     * languages do for global variables. */
    struct symtab *globals = symtab_new(128);
    if (!vars) fatal("out of memory");
    for (int i = 0; i < p->nnames; i++) symtab_insert(globals, p->names[i].start, p->names[i].len, i);
    for (;;) {
        switch ((enum op)*pc++) {
        case OP_CONST: *sp++ = *pc++; break;
        case OP_LOAD: name = &p->names[*pc++]; *sp++ = vars[symtab_lookup(globals, name->start, name->len)]; break;
        case OP_STORE: name = &p->names[*pc++]; vars[symtab_lookup(globals, name->start, name->len)] = *--sp; break;
        case OP_ADD: b = *--sp; sp[-1] += b; break;
        case OP_SUB: b = *--sp; sp[-1] -= b; break;
        case OP_MUL: b = *--sp; sp[-1] *= b; break;
        case OP_DIV: b = *--sp; if (!b) fatal("division by zero"); sp[-1] /= b; break;
        case OP_MOD: b = *--sp; if (!b) fatal("modulo by zero"); sp[-1] %= b; break;
        case OP_LT: b = *--sp; sp[-1] = sp[-1] < b; break;
        case OP_LE: b = *--sp; sp[-1] = sp[-1] <= b; break;
        case OP_GT: b = *--sp; sp[-1] = sp[-1] > b; break;
        case OP_GE: b = *--sp; sp[-1] = sp[-1] >= b; break;
        case OP_EQ: b = *--sp; sp[-1] = sp[-1] == b; break;
        case OP_NE: b = *--sp; sp[-1] = sp[-1] != b; break;
        case OP_AND: b = *--sp; sp[-1] &= b; break;
        case OP_XOR: b = *--sp; sp[-1] ^= b; break;
        case OP_SHR: b = *--sp; sp[-1] = (int64_t)((uint64_t)sp[-1] >> (b & 63)); break;
        case OP_JMP: pc = p->code + *pc; break;
        case OP_JZ: a = *--sp; pc = a ? pc + 1 : p->code + *pc; break;
        case OP_PRINT: a = *--sp; checksum = checksum * 31 + a; if (out) fprintf(out, "%lld\n", (long long)a); break;
        case OP_PUT: b = *--sp; a = *--sp; intmap_put(heap, a, b); break;
        case OP_GET: sp[-1] = intmap_get(heap, sp[-1], 0); break;
        case OP_HAS: sp[-1] = intmap_get(heap, sp[-1], INT64_MIN) != INT64_MIN; break;
        case OP_POP: --sp; break;
        case OP_HALT: free(vars); symtab_free(globals); return checksum;
        default: fatal("bad opcode %d (%s)", pc[-1], pc[-1] >= 0 && pc[-1] <= OP_HALT ? op_names[pc[-1]] : "?");
        }
    }
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) fatal("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) fatal("cannot read %s", path);
    buf[n] = 0;
    fclose(f);
    return buf;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s SCRIPT [REPEAT]\n", argv[0]);
        return 2;
    }
    int repeat = argc > 2 ? atoi(argv[2]) : 1;
    char *src = read_file(argv[1]);
    int64_t total = 0;
    for (int i = 0; i < repeat; i++) {
        struct program prog = {0};
        struct intmap *heap = intmap_new(16);
        compile(src, &prog);
        total = total * 17 + run(&prog, heap, i == 0 ? stdout : NULL);
        intmap_free(heap);
        free(prog.code);
    }
    printf("checksum %lld over %d runs\n", (long long)total, repeat);
    free(src);
    return 0;
}
