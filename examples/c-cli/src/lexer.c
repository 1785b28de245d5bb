#include <ctype.h>
#include "calc.h"

void lexer_init(struct lexer *lx, const char *src)
{
    lx->src = src;
    lx->pos = src;
    lexer_next(lx);
}

void lexer_next(struct lexer *lx)
{
    while (isspace((unsigned char)*lx->pos))
        lx->pos++;
    char c = *lx->pos;
    lx->cur.value = 0;
    if (c == '\0') {
        lx->cur.kind = T_END;
        return;
    }
    if (isdigit((unsigned char)c)) {
        long long v = 0;
        while (isdigit((unsigned char)*lx->pos))
            v = v * 10 + (*lx->pos++ - '0');
        lx->cur.kind = T_NUM;
        lx->cur.value = v;
        return;
    }
    lx->pos++;
    switch (c) {
    case '+': lx->cur.kind = T_PLUS; break;
    case '-': lx->cur.kind = T_MINUS; break;
    case '*': lx->cur.kind = T_STAR; break;
    case '/': lx->cur.kind = T_SLASH; break;
    case '%': lx->cur.kind = T_PERCENT; break;
    case '^': lx->cur.kind = T_CARET; break;
    case '(': lx->cur.kind = T_LPAREN; break;
    case ')': lx->cur.kind = T_RPAREN; break;
    default: lx->cur.kind = T_ERROR; break;
    }
}
