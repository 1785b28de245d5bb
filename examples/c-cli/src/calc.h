#ifndef CALC_H
#define CALC_H

/* Tokens produced by the lexer. */
enum tok_kind { T_NUM, T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PERCENT, T_CARET, T_LPAREN, T_RPAREN, T_END, T_ERROR };

struct token {
    enum tok_kind kind;
    long long value;
};

struct lexer {
    const char *src;
    const char *pos;
    struct token cur;
};

void lexer_init(struct lexer *lx, const char *src);
void lexer_next(struct lexer *lx);

/* Evaluates an integer expression; returns 0 on success, -1 with *err set on failure. */
int calc_eval(const char *expr, long long *out, const char **err);

#endif
