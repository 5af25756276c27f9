//! What a saved reply may be made of: text, merge fields (`{{ customer.first_name }}`),
//! `{% if %}`/`{% elif %}`/`{% else %}`, `{% for %}` over a merge field, comparisons, `and`,
//! `or`, `not`, and a few filters that change case or fill in a default. Nothing that builds
//! a value bigger than the template itself: no `set`, no arithmetic or concatenation
//! (`"x" * 99999999` cost 200 MB a preview, `a ~ a` doubled on every line), no function calls
//! (`range`, `namespace`), no macros or includes. The fuel and output limits bound the time
//! and the text; this bounds the memory. Checked on minijinja's own syntax tree (its
//! `unstable_machinery`; the version is pinned in Cargo.lock).

use minijinja::machinery::ast::{BinOpKind, CallArg, Expr, Stmt, UnaryOpKind};
use minijinja::machinery::{WhitespaceConfig, parse};
use minijinja::syntax::SyntaxConfig;

use super::TemplateError;

/// The filters a saved reply may use: each gives back at most a few times its input.
const FILTERS: [&str; 8] = [
    "upper",
    "lower",
    "title",
    "capitalize",
    "trim",
    "default",
    "d",
    "length",
];

/// Refuses a template that uses anything beyond what a saved reply needs.
pub fn check(body: &str) -> Result<(), TemplateError> {
    // A syntax error is reported by the rendering that follows, with its line.
    let Ok(tree) = parse(body, "reply", SyntaxConfig, WhitespaceConfig::default()) else {
        return Ok(());
    };
    statement(&tree)
}

fn refused(what: &str) -> TemplateError {
    TemplateError(format!(
        "{what} is not allowed in a saved reply: use text, merge fields such as {{{{ customer.first_name }}}}, \
         if/else and the filters {}",
        FILTERS.join(", ")
    ))
}

fn statement(stmt: &Stmt<'_>) -> Result<(), TemplateError> {
    match stmt {
        Stmt::Template(t) => t.children.iter().try_for_each(statement),
        Stmt::EmitRaw(_) => Ok(()),
        Stmt::EmitExpr(e) => expression(&e.expr),
        Stmt::IfCond(c) => {
            expression(&c.expr)?;
            c.true_body.iter().chain(&c.false_body).try_for_each(statement)
        }
        Stmt::ForLoop(f) => {
            expression(&f.target)?;
            expression(&f.iter)?;
            f.filter_expr.iter().try_for_each(expression)?;
            f.body.iter().chain(&f.else_body).try_for_each(statement)
        }
        Stmt::Set(_) | Stmt::SetBlock(_) => Err(refused("set")),
        Stmt::Macro(_) | Stmt::CallBlock(_) => Err(refused("a macro")),
        Stmt::Import(_) | Stmt::FromImport(_) | Stmt::Include(_) | Stmt::Extends(_) | Stmt::Block(_) => {
            Err(refused("another template"))
        }
        _ => Err(refused("this tag")),
    }
}

fn expression(expr: &Expr<'_>) -> Result<(), TemplateError> {
    match expr {
        Expr::Var(_) | Expr::Const(_) => Ok(()),
        Expr::GetAttr(a) => expression(&a.expr),
        Expr::UnaryOp(u) if matches!(u.op, UnaryOpKind::Not) => expression(&u.expr),
        Expr::BinOp(b) => {
            use BinOpKind::*;
            if !matches!(b.op, Eq | Ne | Lt | Lte | Gt | Gte | ScAnd | ScOr | In) {
                return Err(refused("arithmetic or joining texts"));
            }
            expression(&b.left)?;
            expression(&b.right)
        }
        Expr::Compare(c) => {
            expression(&c.expr)?;
            c.ops.iter().try_for_each(|op| expression(&op.expr))
        }
        Expr::IfExpr(i) => {
            expression(&i.test_expr)?;
            expression(&i.true_expr)?;
            i.false_expr.iter().try_for_each(expression)
        }
        Expr::Test(t) => {
            expression(&t.expr)?;
            arguments(&t.args)
        }
        Expr::Filter(f) if FILTERS.contains(&f.name) => {
            f.expr.iter().try_for_each(expression)?;
            arguments(&f.args)
        }
        Expr::Filter(f) => Err(refused(&format!("the filter {}", f.name))),
        Expr::Call(_) => Err(refused("calling a function")),
        _ => Err(refused("this expression")),
    }
}

fn arguments(args: &[CallArg<'_>]) -> Result<(), TemplateError> {
    args.iter().try_for_each(|arg| match arg {
        CallArg::Pos(e) | CallArg::Kwarg(_, e) => expression(e),
        _ => Err(refused("spreading arguments")),
    })
}
