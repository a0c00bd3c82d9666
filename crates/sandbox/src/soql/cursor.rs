//! The token cursor under the parser: look-ahead, keyword matching (case-insensitive)
//! and the `MALFORMED_QUERY` errors that name the offending token.

use super::error::{MALFORMED_QUERY, SoqlError};
use super::lexer::{Tok, Token, tokenize};

pub(super) type Parsed<T> = Result<T, SoqlError>;

/// Parser state; the grammar rules live in `parser.rs`.
pub(super) struct Parser<'a> {
    pub src: &'a str,
    tokens: Vec<Token>,
    at: usize,
    eof: Token,
    /// Current nesting of parentheses and `NOT`.
    pub depth: usize,
}

impl<'a> Parser<'a> {
    pub fn new(src: &'a str) -> Parsed<Self> {
        let tokens = tokenize(src)?;
        let eof = Token { tok: Tok::Eof, start: src.len(), end: src.len() };
        Ok(Parser { src, tokens, at: 0, eof, depth: 0 })
    }
}

impl Parser<'_> {
    /// The token after the current one.
    pub fn peek_second(&self) -> &Token {
        self.tokens.get(self.at + 1).unwrap_or(&self.eof)
    }

    pub fn peek(&self) -> &Token {
        self.tokens.get(self.at).unwrap_or(&self.eof)
    }

    pub fn bump(&mut self) -> Token {
        let token = self.peek().clone();
        self.at += 1;
        token
    }

    pub fn is_keyword(&self, keyword: &str) -> bool {
        matches!(&self.peek().tok, Tok::Word(w) if w.eq_ignore_ascii_case(keyword))
    }

    pub fn eat_keyword(&mut self, keyword: &str) -> bool {
        let found = self.is_keyword(keyword);
        self.at += usize::from(found);
        found
    }

    pub fn expect_keyword(&mut self, keyword: &str) -> Parsed<()> {
        if self.eat_keyword(keyword) { Ok(()) } else { Err(self.unexpected(self.peek())) }
    }

    pub fn eat(&mut self, tok: &Tok) -> bool {
        let found = self.peek().tok == *tok;
        self.at += usize::from(found);
        found
    }

    pub fn expect(&mut self, tok: &Tok) -> Parsed<()> {
        if self.eat(tok) { Ok(()) } else { Err(self.unexpected(self.peek())) }
    }

    /// `unexpected token: 'X'`, or `'<EOF>'` at the end of the query.
    pub fn unexpected(&self, token: &Token) -> SoqlError {
        let text = match token.tok {
            Tok::Eof => "<EOF>",
            _ => self.src.get(token.start..token.end).unwrap_or_default(),
        };
        SoqlError::at(MALFORMED_QUERY, self.src, token.start, format!("unexpected token: '{text}'"))
    }

    // [unconfirmed] §5.3 says an unknown escape is an error but gives no text; this is the
    // wording Salesforce is commonly reported to use.
    pub fn bad_escape(&self, token: &Token, raw: &str, sequence: &str) -> SoqlError {
        let reason =
            format!("Invalid string literal '{raw}'. Illegal character sequence '{sequence}' in string literal.");
        SoqlError::at(MALFORMED_QUERY, self.src, token.start, reason)
    }
}
