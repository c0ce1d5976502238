//! HTML of form widgets: one small askama template per control (`templates/widgets/`), composed
//! recursively here, so nested groups and rows need no recursion in the templates themselves.

use askama::Template;

use super::{Control, FieldView, RefItem, Refs, Row, Rows, TextInput};

#[derive(Template)]
#[template(path = "widgets/text.html")]
struct TextW<'a> {
    f: &'a FieldView,
    t: &'a TextInput,
}

#[derive(Template)]
#[template(path = "widgets/area.html")]
struct AreaW<'a> {
    f: &'a FieldView,
    value: &'a str,
    max: usize,
}

#[derive(Template)]
#[template(path = "widgets/select.html")]
struct SelectW<'a> {
    f: &'a FieldView,
    options: &'a [String],
    value: &'a str,
    empty: bool,
}

#[derive(Template)]
#[template(path = "widgets/check.html")]
struct CheckW<'a> {
    f: &'a FieldView,
    checked: bool,
    set: bool,
}

#[derive(Template)]
#[template(path = "widgets/multi.html")]
struct MultiW<'a> {
    f: &'a FieldView,
    options: &'a [(String, bool)],
}

#[derive(Template)]
#[template(path = "widgets/group.html")]
struct GroupW<'a> {
    f: &'a FieldView,
    fields: &'a [FieldView],
}

#[derive(Template)]
#[template(path = "widgets/rows.html")]
struct RowsW<'a> {
    f: &'a FieldView,
    r: &'a Rows,
}

#[derive(Template)]
#[template(path = "widgets/row.html")]
struct RowW<'a> {
    row: &'a Row,
    noun: &'a str,
    number: usize,
}

#[derive(Template)]
#[template(path = "widgets/refs.html")]
struct RefsW<'a> {
    f: &'a FieldView,
    r: &'a Refs,
}

#[derive(Template)]
#[template(path = "widgets/ref_item.html")]
struct RefItemW<'a> {
    i: &'a RefItem,
}

fn html<T: Template>(t: T) -> String {
    t.render()
        .unwrap_or_else(|e| format!("<!-- widget error: {e} -->"))
}

impl FieldView {
    /// The widget's HTML.
    pub fn html(&self) -> String {
        match &self.control {
            Control::Text(t) => html(TextW { f: self, t }),
            Control::Area { value, max } => html(AreaW {
                f: self,
                value,
                max: *max,
            }),
            Control::Select {
                options,
                value,
                empty,
            } => html(SelectW {
                f: self,
                options,
                value,
                empty: *empty,
            }),
            Control::Check { checked, set } => html(CheckW {
                f: self,
                checked: *checked,
                set: *set,
            }),
            Control::Multi { options } => html(MultiW { f: self, options }),
            Control::Group { fields } => html(GroupW { f: self, fields }),
            Control::Rows(r) => html(RowsW { f: self, r }),
            Control::Refs(r) => html(RefsW { f: self, r }),
        }
    }

    /// Ids of the help and error texts, for `aria-describedby`.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if self.error.is_some() {
            ids.push(format!("{}-error", self.id));
        }
        if !self.help.is_empty() {
            ids.push(format!("{}-help", self.id));
        }
        ids.join(" ")
    }
}

impl Rows {
    pub fn row_html(&self, row: &Row, number: usize) -> String {
        html(RowW {
            row,
            noun: &self.noun,
            number,
        })
    }

    pub fn template_html(&self) -> String {
        self.row_html(&self.template, 0)
    }
}

impl Refs {
    pub fn item_html(&self, item: &RefItem) -> String {
        html(RefItemW { i: item })
    }

    pub fn template_html(&self) -> String {
        self.item_html(&self.template)
    }
}
