//! Recursive-descent parser for the SOQL subset of §5.4. Purely syntactic: names are not
//! checked against any schema here.

use super::ast::{
    ChildSelect, Condition, FieldPath, Literal, LiteralValue, Name, Nulls, Number, OrderItem, Query, Select,
};
use super::cursor::{Parsed, Parser};
use super::dates::RelativeDate;
use super::error::SoqlError;
use super::lexer::Tok;
use super::literal::{decode_pattern, decode_string};

/// Words that cannot name an object, relationship or field (except as in `SOFT_KEYWORDS`).
const RESERVED: &[&str] = &[
    "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY", "LIMIT", "OFFSET", "NULL", "TRUE",
    "FALSE", "GROUP", "HAVING", "ASC", "DESC", "NULLS", "INCLUDES", "EXCLUDES",
];

/// Reserved words that are also standard object and relationship names (`Order`,
/// `Group`): they are keywords only where they open a clause, i.e. followed by `BY`,
/// and names everywhere else (`FROM Order ORDER BY OrderNumber`, `Order.Status`).
const SOFT_KEYWORDS: &[&str] = &["ORDER", "GROUP"];

/// Deepest nesting of parentheses and `NOT` accepted, so hostile input cannot exhaust the
/// stack of the parser or the evaluator.
const MAX_DEPTH: usize = 64;

/// Where a `SELECT` statement stands; it decides what its select list may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    /// The query itself: fields, child subqueries or `COUNT()`.
    Top,
    /// A child relationship subquery: fields only.
    Child,
    /// The inner select of a semi-join: exactly one field.
    SemiJoin,
}

/// Parses a SOQL `SELECT` statement.
pub fn parse(soql: &str) -> Result<Query, SoqlError> {
    Parser::new(soql)?.query()
}

impl Parser<'_> {
    fn query(mut self) -> Parsed<Query> {
        let query = self.statement(Level::Top)?;
        if self.peek().tok != Tok::Eof {
            return Err(self.unexpected(self.peek()));
        }
        Ok(query)
    }

    /// `SELECT … FROM … [WHERE] [ORDER BY] [LIMIT] [OFFSET]`; what follows is the
    /// caller's to check (the end of the query, or a subquery's closing parenthesis).
    fn statement(&mut self, level: Level) -> Parsed<Query> {
        self.expect_keyword("SELECT")?;
        let (select, children) = self.select_list(level)?;
        self.expect_keyword("FROM")?;
        let from = self.name()?;
        let filter = if self.eat_keyword("WHERE") { Some(self.condition()?) } else { None };
        let mut order_by = Vec::new();
        if self.eat_keyword("ORDER") {
            self.expect_keyword("BY")?;
            order_by.push(self.order_item()?);
            while self.eat(&Tok::Comma) {
                order_by.push(self.order_item()?);
            }
        }
        let limit = if self.eat_keyword("LIMIT") { Some(self.number()?) } else { None };
        let offset = if self.eat_keyword("OFFSET") { Some(self.number()?) } else { None };
        let text = self.src.to_owned();
        Ok(Query { text, select, children, from, filter, order_by, limit, offset })
    }

    fn select_list(&mut self, level: Level) -> Parsed<(Select, Vec<ChildSelect>)> {
        if level == Level::Top && self.is_keyword("COUNT") && self.peek_second().tok == Tok::LParen {
            self.bump();
            self.bump();
            self.expect(&Tok::RParen)?;
            return Ok((Select::Count, Vec::new()));
        }
        if level == Level::SemiJoin {
            return Ok((Select::Fields(vec![self.path()?]), Vec::new()));
        }
        let (mut fields, mut children) = (Vec::new(), Vec::new());
        loop {
            if level == Level::Top && self.peek().tok == Tok::LParen {
                let query = self.subquery(Level::Child)?;
                children.push(ChildSelect { after: fields.len(), query });
            } else {
                fields.push(self.path()?);
            }
            if !self.eat(&Tok::Comma) {
                return Ok((Select::Fields(fields), children));
            }
        }
    }

    /// `'(' statement ')'`, counted towards the nesting bound.
    fn subquery(&mut self, level: Level) -> Parsed<Query> {
        self.expect(&Tok::LParen)?;
        if self.depth >= MAX_DEPTH {
            return Err(self.unexpected(self.peek()));
        }
        self.depth += 1;
        let query = self.statement(level).and_then(|q| self.expect(&Tok::RParen).map(|()| q));
        self.depth -= 1;
        query
    }

    fn order_item(&mut self) -> Parsed<OrderItem> {
        let field = self.path()?;
        let descending = if self.eat_keyword("DESC") {
            true
        } else {
            self.eat_keyword("ASC");
            false
        };
        let nulls = if self.eat_keyword("NULLS") {
            if self.eat_keyword("FIRST") {
                Some(Nulls::First)
            } else {
                self.expect_keyword("LAST")?;
                Some(Nulls::Last)
            }
        } else {
            None
        };
        Ok(OrderItem { field, descending, nulls })
    }

    /// `term ((AND term)* | (OR term)*)`: mixing `AND` and `OR` at one level is an error.
    fn condition(&mut self) -> Parsed<Condition> {
        let first = self.term()?;
        let (joiner, other) = if self.is_keyword("AND") {
            ("AND", "OR")
        } else if self.is_keyword("OR") {
            ("OR", "AND")
        } else {
            return Ok(first);
        };
        let mut parts = vec![first];
        while self.eat_keyword(joiner) {
            parts.push(self.term()?);
        }
        if self.is_keyword(other) {
            return Err(self.unexpected(self.peek()));
        }
        Ok(if joiner == "AND" { Condition::And(parts) } else { Condition::Or(parts) })
    }

    fn term(&mut self) -> Parsed<Condition> {
        let nested = self.is_keyword("NOT") || self.peek().tok == Tok::LParen;
        if nested {
            if self.depth >= MAX_DEPTH {
                return Err(self.unexpected(self.peek()));
            }
            self.depth += 1;
            let term = if self.eat_keyword("NOT") {
                self.term().map(|t| Condition::Not(Box::new(t)))
            } else {
                self.bump();
                self.condition().and_then(|c| self.expect(&Tok::RParen).map(|()| c))
            };
            self.depth -= 1;
            return term;
        }
        let field = self.path()?;
        let negated = self.eat_keyword("NOT");
        if self.eat_keyword("IN") {
            if self.peek().tok == Tok::LParen
                && matches!(&self.peek_second().tok, Tok::Word(w) if w.eq_ignore_ascii_case("SELECT"))
            {
                let query = Box::new(self.subquery(Level::SemiJoin)?);
                return Ok(Condition::SemiJoin { field, negated, query });
            }
            self.expect(&Tok::LParen)?;
            let mut values = vec![self.value()?];
            while self.eat(&Tok::Comma) {
                values.push(self.value()?);
            }
            self.expect(&Tok::RParen)?;
            return Ok(Condition::In { field, negated, values });
        }
        if self.eat_keyword("LIKE") {
            let token = self.bump();
            let Tok::Str(raw) = &token.tok else {
                return Err(self.unexpected(&token));
            };
            let pattern = decode_pattern(raw).map_err(|seq| self.bad_escape(&token, raw, &seq))?;
            return Ok(Condition::Like { field, negated, pattern });
        }
        match self.peek().tok {
            Tok::Op(op) if !negated => {
                self.bump();
                let value = self.value()?;
                Ok(Condition::Compare { field, op, value })
            }
            _ => Err(self.unexpected(self.peek())),
        }
    }

    fn value(&mut self) -> Parsed<Literal> {
        let token = self.bump();
        let value = match &token.tok {
            Tok::Str(raw) => {
                LiteralValue::String(decode_string(raw).map_err(|seq| self.bad_escape(&token, raw, &seq))?)
            }
            Tok::Number(text) => LiteralValue::Number(text.parse().map_err(|_| self.unexpected(&token))?),
            Tok::Date(d) => LiteralValue::Date(*d),
            Tok::DateTime(t) => LiteralValue::DateTime(*t),
            Tok::Word(w) if w.eq_ignore_ascii_case("NULL") => LiteralValue::Null,
            Tok::Word(w) if w.eq_ignore_ascii_case("TRUE") => LiteralValue::Boolean(true),
            Tok::Word(w) if w.eq_ignore_ascii_case("FALSE") => LiteralValue::Boolean(false),
            Tok::Word(w) if RelativeDate::takes_parameter(w) => {
                self.expect(&Tok::Colon)?;
                let parameter = self.peek().clone();
                u32::try_from(self.number()?.value)
                    .ok()
                    .and_then(|n| RelativeDate::with_parameter(w, n))
                    .map(LiteralValue::Relative)
                    .ok_or_else(|| self.unexpected(&parameter))?
            }
            Tok::Word(w) => {
                RelativeDate::fixed(w).map(LiteralValue::Relative).ok_or_else(|| self.unexpected(&token))?
            }
            _ => return Err(self.unexpected(&token)),
        };
        Ok(Literal { value, pos: token.start })
    }

    fn path(&mut self) -> Parsed<FieldPath> {
        let first = self.name()?;
        let mut segments = vec![first.text];
        while self.eat(&Tok::Dot) {
            // After a dot only a name can follow, whatever the word.
            let token = self.bump();
            let Tok::Word(word) = &token.tok else { return Err(self.unexpected(&token)) };
            segments.push(word.clone());
        }
        Ok(FieldPath { segments, pos: first.pos })
    }

    /// An object, relationship or field name: any word but a keyword (a soft keyword
    /// counts as a name unless `BY` follows it).
    fn name(&mut self) -> Parsed<Name> {
        let is_one_of = |list: &[&str], w: &str| list.iter().any(|r| r.eq_ignore_ascii_case(w));
        let by_follows = matches!(&self.peek_second().tok, Tok::Word(w) if w.eq_ignore_ascii_case("BY"));
        let token = self.bump();
        match &token.tok {
            Tok::Word(w) if !is_one_of(RESERVED, w) || (is_one_of(SOFT_KEYWORDS, w) && !by_follows) => {
                Ok(Name { text: w.clone(), pos: token.start })
            }
            _ => Err(self.unexpected(&token)),
        }
    }

    /// A non-negative integer literal.
    fn number(&mut self) -> Parsed<Number> {
        let token = self.bump();
        match &token.tok {
            Tok::Number(text) if text.bytes().all(|b| b.is_ascii_digit()) => {
                text.parse().map(|value| Number { value, pos: token.start }).map_err(|_| self.unexpected(&token))
            }
            _ => Err(self.unexpected(&token)),
        }
    }
}

#[cfg(test)]
#[path = "parser_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "parser_where_tests.rs"]
mod where_tests;
