/* Recursive-descent evaluator:
 *   expr   := term (('+' | '-') term)*
 *   term   := power (('*' | '/' | '%') power)*
 *   power  := unary ('^' power)?
 *   unary  := '-' unary | primary
 *   primary:= NUM | '(' expr ')'
 */
#include <stddef.h>
#include "calc.h"

struct parser {
    struct lexer lx;
    const char *err;
};

static long long parse_expr(struct parser *p);

static long long fail(struct parser *p, const char *msg)
{
    if (!p->err)
        p->err = msg;
    return 0;
}

static long long parse_primary(struct parser *p)
{
    if (p->lx.cur.kind == T_NUM) {
        long long v = p->lx.cur.value;
        lexer_next(&p->lx);
        return v;
    }
    if (p->lx.cur.kind == T_LPAREN) {
        lexer_next(&p->lx);
        long long v = parse_expr(p);
        if (p->lx.cur.kind != T_RPAREN)
            return fail(p, "expected ')'");
        lexer_next(&p->lx);
        return v;
    }
    return fail(p, "expected a number or '('");
}

static long long parse_unary(struct parser *p)
{
    if (p->lx.cur.kind == T_MINUS) {
        lexer_next(&p->lx);
        return -parse_unary(p);
    }
    return parse_primary(p);
}

static long long ipow(long long base, long long exp)
{
    long long r = 1;
    while (exp-- > 0)
        r *= base;
    return r;
}

static long long parse_power(struct parser *p)
{
    long long base = parse_unary(p);
    if (p->lx.cur.kind == T_CARET) {
        lexer_next(&p->lx);
        long long exp = parse_power(p);
        if (exp < 0)
            return fail(p, "negative exponent");
        return ipow(base, exp);
    }
    return base;
}

static long long parse_term(struct parser *p)
{
    long long v = parse_power(p);
    for (;;) {
        enum tok_kind k = p->lx.cur.kind;
        if (k != T_STAR && k != T_SLASH && k != T_PERCENT)
            return v;
        lexer_next(&p->lx);
        long long rhs = parse_power(p);
        if (k == T_STAR) {
            v *= rhs;
        } else if (rhs == 0) {
            return fail(p, "division by zero");
        } else {
            v = k == T_SLASH ? v / rhs : v % rhs;
        }
    }
}

static long long parse_expr(struct parser *p)
{
    long long v = parse_term(p);
    while (p->lx.cur.kind == T_PLUS || p->lx.cur.kind == T_MINUS) {
        enum tok_kind k = p->lx.cur.kind;
        lexer_next(&p->lx);
        long long rhs = parse_term(p);
        v = k == T_PLUS ? v + rhs : v - rhs;
    }
    return v;
}

int calc_eval(const char *expr, long long *out, const char **err)
{
    struct parser p = { .err = NULL };
    lexer_init(&p.lx, expr);
    long long v = parse_expr(&p);
    if (!p.err && p.lx.cur.kind != T_END)
        p.err = "unexpected input after expression";
    if (p.err) {
        *err = p.err;
        return -1;
    }
    *out = v;
    return 0;
}
