//! The text catalogue, checked and turned into Rust at build time.
//!
//! `locales/<language>/kmo.ftl` holds every text for people in one language — the pages', the
//! error codes' sentences — in Fluent syntax (parsed by `fluent-syntax`). This script writes
//! `$OUT_DIR/catalogue.rs`, included by `src/lib.rs`: the struct `T` with one field per message (`home-title` → `t.home_title`; a
//! message of a section, `planner-title`, → `t.planner.title` in the section's own struct), one
//! static per language, and for a message with arguments (`{ $label }`) a struct of named
//! arguments and a function per language. So a key the code misspells is a compile error, and
//! the build fails — naming every problem — when a message is missing in a language, exists in
//! one only, is empty, takes other arguments in one language than in the other, or uses Fluent
//! beyond plain text and variables (selectors, functions, terms, attributes), which nothing needs
//! yet.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::process::ExitCode;

use fluent_syntax::ast;

/// The languages: code, folder under `locales/`, `kmo_domain::codes::Lang` variant, static.
/// The first is the one whose comments document the fields.
const LANGS: [(&str, &str, &str, &str); 2] =
    [("nl", "nl-BE", "Nl", "NL"), ("en", "en", "En", "EN")];

/// The catalogue's file in each language's folder.
const FILE: &str = "kmo.ftl";

/// Sections: the messages `<prefix>-…` are the fields of their own struct, itself the field
/// `<prefix>` of `T` (`-` as `_`: `sub-theme` is `t.sub_theme`) — the texts of one page that
/// has many, or the labels of one closed code list (one message per code, keyed by its wire
/// code: `theme-digitalisation`, `legal-form-vrij-beroep`).
const SECTIONS: [(&str, &str, &str); 14] = [
    (
        "planner",
        "Planner",
        "The year planner's texts (`planner.rs`).",
    ),
    (
        "listing",
        "Listing",
        "The occupation-specific list's texts (`listing.rs`).",
    ),
    (
        "registry",
        "Registry",
        "The agency's provider registry's texts (`registry.rs`).",
    ),
    (
        "feed",
        "Feed",
        "The calendar subscription page's texts (`calendar.rs`).",
    ),
    (
        "error",
        "Error",
        "A sentence for people per error code (`kmo_app::kernel::ErrorCode::text`): `error-unknown-application` is the code `UNKNOWN_APPLICATION`.",
    ),
    (
        "size",
        "SizeLabels",
        "The label of each enterprise size (`kmo_domain::EnterpriseSize`, read through `Label`).",
    ),
    (
        "kind",
        "KindLabels",
        "The label of each service kind (`kmo_domain::ServiceKind`, read through `Label`).",
    ),
    (
        "legal-form",
        "LegalFormLabels",
        "The label of each legal form (`kmo_domain::LegalForm`, read through `Label`).",
    ),
    (
        "theme",
        "ThemeLabels",
        "The label of each theme (`kmo_domain::Theme`, read through `Label`).",
    ),
    (
        "sub-theme",
        "SubThemeLabels",
        "The label of each sub-theme (`kmo_domain::SubTheme`, read through `Label`).",
    ),
    (
        "topic",
        "TopicLabels",
        "The label of each topic of the exclusion list (`kmo_domain::ExcludedTopic`, read through `Label`).",
    ),
    (
        "cost",
        "CostLabels",
        "The label of each cost type (`kmo_domain::CostType`, read through `Label`).",
    ),
    (
        "refusal",
        "RefusalLabels",
        "The label of each reason a provider refuses an application for (`kmo_domain::RefusalReason`, read through `Label`).",
    ),
    (
        "reason",
        "ReasonTexts",
        "A sentence per reason code of the rules engine (`kmo_rules::Reason::text`): `reason-not-sme` is the code `NOT_SME`.",
    ),
];

/// A section's field in `T`: its prefix with `_` for `-`.
fn section_field(prefix: &str) -> String {
    prefix.replace('-', "_")
}

/// Rust keywords a field may not be named.
const KEYWORDS: [&str; 38] = [
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe",
    "use", "where", "while",
];

/// One piece of a message: text, or an argument.
#[derive(Debug, PartialEq)]
enum Part {
    Text(String),
    Arg(String),
}

#[derive(Debug)]
struct Message {
    comment: Option<String>,
    parts: Vec<Part>,
}

impl Message {
    /// The arguments, as Rust names, in the order they first appear.
    fn args(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for p in &self.parts {
            if let Part::Arg(a) = p
                && !out.contains(&a.as_str())
            {
                out.push(a);
            }
        }
        out
    }

    /// The text, with `{ $arg }` where an argument goes (for documentation).
    fn shown(&self) -> String {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.clone(),
                Part::Arg(a) => format!("{{ ${a} }}"),
            })
            .collect()
    }
}

/// A Fluent identifier as a Rust name: lowercase ASCII, digits and single hyphens between
/// words; `-` becomes `_`.
fn rust_name(id: &str) -> Result<String, String> {
    let ok = id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.ends_with('-')
        && !id.contains("--");
    let name = id.replace('-', "_");
    if !ok {
        return Err(format!(
            "`{id}`: a key is lowercase words joined by single hyphens (home-title)"
        ));
    }
    if KEYWORDS.contains(&name.as_str()) {
        return Err(format!("`{id}`: `{name}` is a Rust keyword"));
    }
    Ok(name)
}

/// The pieces of a pattern, or why it cannot be used.
fn parts(pattern: &ast::Pattern<&str>) -> Result<Vec<Part>, String> {
    let mut out = Vec::new();
    for element in &pattern.elements {
        match element {
            ast::PatternElement::TextElement { value } => match out.last_mut() {
                Some(Part::Text(t)) => t.push_str(value),
                _ => out.push(Part::Text((*value).to_owned())),
            },
            ast::PatternElement::Placeable {
                expression: ast::Expression::Inline(ast::InlineExpression::VariableReference { id }),
            } => out.push(Part::Arg(rust_name(id.name)?)),
            ast::PatternElement::Placeable {
                expression: ast::Expression::Inline(ast::InlineExpression::StringLiteral { value }),
            } if !value.contains('\\') => match out.last_mut() {
                Some(Part::Text(t)) => t.push_str(value),
                _ => out.push(Part::Text((*value).to_owned())),
            },
            ast::PatternElement::Placeable { .. } => {
                return Err(
                    "only text, `{ $argument }` and `{ \"literal\" }` are supported".to_owned(),
                );
            }
        }
    }
    Ok(out)
}

/// The line of a byte offset, 1-based.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(0, |before| before.matches('\n').count())
        .saturating_add(1)
}

/// One language's messages by key, or every problem found in its file.
fn read(path: &str) -> Result<BTreeMap<String, Message>, Vec<String>> {
    let text = std::fs::read_to_string(path).map_err(|e| vec![format!("{path}: {e}")])?;
    let resource = fluent_syntax::parser::parse(text.as_str()).map_err(|(_, errors)| {
        errors
            .iter()
            .map(|e| format!("{path}:{}: {e}", line_of(&text, e.pos.start)))
            .collect::<Vec<_>>()
    })?;
    let mut messages = BTreeMap::new();
    let mut problems = Vec::new();
    for entry in resource.body {
        let m = match entry {
            ast::Entry::Message(m) => m,
            ast::Entry::Term(t) => {
                problems.push(format!("{path}: -{}: terms are not supported", t.id.name));
                continue;
            }
            ast::Entry::Junk { content } => {
                problems.push(format!("{path}: cannot read {content:?}"));
                continue;
            }
            ast::Entry::Comment(_)
            | ast::Entry::GroupComment(_)
            | ast::Entry::ResourceComment(_) => {
                continue;
            }
        };
        let id = m.id.name;
        let problem = |why: &str| format!("{path}: {id}: {why}");
        if !m.attributes.is_empty() {
            problems.push(problem("attributes are not supported"));
            continue;
        }
        let Some(value) = m.value else {
            problems.push(problem("no text"));
            continue;
        };
        let message = match parts(&value) {
            Ok(parts) => Message {
                comment: m.comment.map(|c| c.content.join("\n")),
                parts,
            },
            Err(why) => {
                problems.push(problem(&why));
                continue;
            }
        };
        let blank = message.parts.iter().all(|p| match p {
            Part::Text(t) => t.trim().is_empty(),
            Part::Arg(_) => false,
        });
        if blank {
            problems.push(problem("the text is empty"));
        } else if messages.insert(id.to_owned(), message).is_some() {
            problems.push(problem("the key is there twice"));
        }
    }
    if problems.is_empty() {
        Ok(messages)
    } else {
        Err(problems)
    }
}

/// Where a key goes: its section (if any) and its field there.
fn place(id: &str) -> Result<(Option<usize>, String), String> {
    for (i, (prefix, _, _)) in SECTIONS.iter().enumerate() {
        if let Some(rest) = id
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('-'))
        {
            return Ok((Some(i), rust_name(rest)?));
        }
    }
    Ok((None, rust_name(id)?))
}

/// `planner-moved` → `PlannerMoved`, the name of its arguments' struct.
fn camel(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|first| first.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn doc(out: &mut String, indent: &str, text: &str) {
    for line in text.lines() {
        let _ = writeln!(out, "{indent}#[doc = {:?}]", format!(" {line}"));
    }
}

/// The field type of a message: a text, or a function of its arguments.
fn field_type(id: &str, m: &Message) -> String {
    if m.args().is_empty() {
        "&'static str".to_owned()
    } else {
        format!("fn(&args::{}<'_>) -> String", camel(id))
    }
}

/// The Rust source of the catalogue.
fn generate(langs: &[BTreeMap<String, Message>]) -> Result<String, Vec<String>> {
    let Some(first) = langs.first() else {
        return Err(vec!["no language".to_owned()]);
    };
    let mut problems = Vec::new();
    // Every key in every language, with the same arguments.
    for (i, messages) in langs.iter().enumerate() {
        let (_, dir, _, _) = LANGS.get(i).copied().unwrap_or_default();
        for id in first.keys().filter(|id| !messages.contains_key(*id)) {
            problems.push(format!("{dir}/{FILE}: {id}: missing"));
        }
        for id in messages.keys().filter(|id| !first.contains_key(*id)) {
            let (_, first_dir, _, _) = LANGS.first().copied().unwrap_or_default();
            problems.push(format!("{dir}/{FILE}: {id}: not in {first_dir}/{FILE}"));
        }
        for (id, m) in messages {
            let theirs: BTreeSet<&str> = m.args().into_iter().collect();
            let ours: BTreeSet<&str> = first
                .get(id)
                .map(|f| f.args().into_iter().collect())
                .unwrap_or_else(|| theirs.clone());
            if ours != theirs {
                problems.push(format!(
                    "{dir}/{FILE}: {id}: arguments {theirs:?}, expected {ours:?}"
                ));
            }
        }
    }
    // The fields of T and of each section.
    let mut fields: Vec<Vec<(&str, String)>> = vec![Vec::new(); SECTIONS.len().saturating_add(1)];
    for id in first.keys() {
        match place(id) {
            Ok((section, name)) => {
                let i = section.map_or(0, |s| s.saturating_add(1));
                if let Some(f) = fields.get_mut(i) {
                    f.push((id.as_str(), name));
                }
            }
            Err(why) => problems.push(why),
        }
    }
    for (_, name) in fields.first().into_iter().flatten() {
        if ["code", "lang"].contains(&name.as_str())
            || SECTIONS
                .iter()
                .any(|(prefix, _, _)| section_field(prefix) == *name)
        {
            problems.push(format!("`{name}`: the name of a field T has already"));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let mut out = String::new();
    out.push_str("// Generated by build.rs from locales/*/kmo.ftl: edit those, not this.\n\n");
    let struct_def = |out: &mut String, name: &str, doc_text: &str, i: usize| {
        doc(out, "", doc_text);
        let _ = writeln!(out, "#[derive(Debug)]\npub struct {name} {{");
        if i == 0 {
            out.push_str("    /// The language's code: `nl`, `en`.\n    pub code: &'static str,\n");
            out.push_str("    /// The language.\n    pub lang: kmo_domain::codes::Lang,\n");
        }
        for (id, field) in fields.get(i).into_iter().flatten() {
            if let Some(m) = first.get(*id) {
                let what = m.comment.clone().unwrap_or_default();
                let text = format!("`{id}`: «{}»", m.shown());
                doc(
                    out,
                    "    ",
                    &if what.is_empty() {
                        text
                    } else {
                        format!("{what}\n\n{text}")
                    },
                );
                let _ = writeln!(out, "    pub {field}: {},", field_type(id, m));
            }
        }
        if i == 0 {
            for (prefix, section, section_doc) in SECTIONS {
                doc(out, "    ", section_doc);
                let _ = writeln!(out, "    pub {}: {section},", section_field(prefix));
            }
        }
        out.push_str("}\n\n");
    };
    struct_def(
        &mut out,
        "T",
        "Every text for people in one language, from `locales/<language>/kmo.ftl`.",
        0,
    );
    for (i, (_, section, section_doc)) in SECTIONS.iter().enumerate() {
        struct_def(&mut out, section, section_doc, i.saturating_add(1));
        // Its texts without arguments, by key: what a test walks to find a text no code uses.
        let plain: Vec<(&str, &String)> = fields
            .get(i.saturating_add(1))
            .into_iter()
            .flatten()
            .filter(|(id, _)| first.get(*id).is_some_and(|m| m.args().is_empty()))
            .map(|(id, field)| (*id, field))
            .collect();
        let _ = writeln!(
            out,
            "impl {section} {{\n    /// Every text of the section that takes no argument, with its key.\n    #[must_use]\n    pub fn keyed(&self) -> [(&'static str, &'static str); {}] {{\n        [",
            plain.len()
        );
        for (id, field) in plain {
            let _ = writeln!(out, "            ({id:?}, self.{field}),");
        }
        out.push_str("        ]\n    }\n}\n\n");
    }

    // The arguments of the messages that take some.
    out.push_str("/// The named arguments of the messages that take some.\npub mod args {\n");
    for (id, m) in first.iter().filter(|(_, m)| !m.args().is_empty()) {
        doc(
            &mut out,
            "    ",
            &format!("The arguments of `{id}`: «{}»", m.shown()),
        );
        let _ = writeln!(
            out,
            "    #[derive(Debug, Clone, Copy)]\n    pub struct {}<'a> {{",
            camel(id)
        );
        for a in m.args() {
            let _ = writeln!(out, "        pub {a}: &'a str,");
        }
        out.push_str("    }\n");
    }
    out.push_str("}\n\n");

    // One static per language, and its functions.
    for (l, messages) in langs.iter().enumerate() {
        let (code, _, variant, name) = LANGS.get(l).copied().unwrap_or_default();
        let value = |id: &str, m: &Message| {
            if m.args().is_empty() {
                format!("{:?}", m.shown())
            } else {
                format!("{code}::{}", id.replace('-', "_"))
            }
        };
        let _ = writeln!(
            out,
            "static {name}: T = T {{\n    code: {code:?},\n    lang: kmo_domain::codes::Lang::{variant},"
        );
        for (id, field) in fields.first().into_iter().flatten() {
            if let Some(m) = messages.get(*id) {
                let _ = writeln!(out, "    {field}: {},", value(id, m));
            }
        }
        for (i, (prefix, section, _)) in SECTIONS.iter().enumerate() {
            let _ = writeln!(out, "    {}: {section} {{", section_field(prefix));
            for (id, field) in fields.get(i.saturating_add(1)).into_iter().flatten() {
                if let Some(m) = messages.get(*id) {
                    let _ = writeln!(out, "        {field}: {},", value(id, m));
                }
            }
            out.push_str("    },\n");
        }
        out.push_str("};\n\n");
        let _ = writeln!(out, "mod {code} {{");
        for (id, m) in messages.iter().filter(|(_, m)| !m.args().is_empty()) {
            let pieces: Vec<String> = m
                .parts
                .iter()
                .map(|p| match p {
                    Part::Text(t) => format!("{t:?}"),
                    Part::Arg(a) => format!("a.{a}"),
                })
                .collect();
            let _ = writeln!(
                out,
                "    pub(super) fn {}(a: &super::args::{}<'_>) -> String {{\n        [{}].concat()\n    }}",
                id.replace('-', "_"),
                camel(id),
                pieces.join(", ")
            );
        }
        out.push_str("}\n\n");
    }

    out.push_str("impl T {\n    /// The texts of a language.\n    #[must_use]\n    pub const fn of(lang: kmo_domain::codes::Lang) -> &'static T {\n        match lang {\n");
    for (_, _, variant, name) in LANGS {
        let _ = writeln!(
            out,
            "            kmo_domain::codes::Lang::{variant} => &{name},"
        );
    }
    out.push_str("        }\n    }\n}\n");
    Ok(out)
}

fn main() -> ExitCode {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=locales");
    let mut langs = Vec::new();
    let mut problems = Vec::new();
    for (_, dir, _, _) in LANGS {
        let path = format!("locales/{dir}/{FILE}");
        println!("cargo::rerun-if-changed={path}");
        match read(&path) {
            Ok(messages) => langs.push(messages),
            Err(p) => problems.extend(p),
        }
    }
    let source = if problems.is_empty() {
        generate(&langs)
    } else {
        Err(problems)
    };
    let written = source.map_err(|p| p.join("\n")).and_then(|source| {
        let dir = std::env::var("OUT_DIR").map_err(|e| format!("OUT_DIR: {e}"))?;
        std::fs::write(format!("{dir}/catalogue.rs"), source).map_err(|e| e.to_string())
    });
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("the text catalogue (locales/*/{FILE}) is not right:\n{why}");
            ExitCode::FAILURE
        }
    }
}
