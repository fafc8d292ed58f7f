//! The one palette of the report: a colour per label, Okabe–Ito
//! (distinguishable with the common colour-vision deficiencies), with a
//! light tint for highlighted text and the text colour that reads on the
//! solid colour. The page's CSS custom properties and the SVG charts are
//! both drawn from it.

use crate::Label;

/// A label's colours, as RGB.
pub(super) struct Colours {
    /// Bars, lines, underlines.
    pub(super) solid: (u8, u8, u8),
    /// The background of highlighted text.
    pub(super) tint: (u8, u8, u8),
    /// Text drawn on `solid`.
    pub(super) on_solid: (u8, u8, u8),
}

impl Colours {
    /// `solid` as a CSS colour (`#0072B2`).
    pub(super) fn css(&self) -> String {
        hex(self.solid)
    }
}

pub(super) fn colours(label: Label) -> Colours {
    const WHITE: (u8, u8, u8) = (0xFF, 0xFF, 0xFF);
    const BLACK: (u8, u8, u8) = (0x00, 0x00, 0x00);
    match label {
        Label::Deterrence => Colours {
            solid: (0x00, 0x72, 0xB2),
            tint: (0xD9, 0xE9, 0xF6),
            on_solid: WHITE,
        },
        Label::EscalationWarning => Colours {
            solid: (0xD5, 0x5E, 0x00),
            tint: (0xFB, 0xE1, 0xCD),
            on_solid: BLACK,
        },
        Label::Diplomacy => Colours {
            solid: (0x00, 0x9E, 0x73),
            tint: (0xD2, 0xF0, 0xE6),
            on_solid: BLACK,
        },
        Label::Neutral => Colours {
            solid: (0xBB, 0xBB, 0xBB),
            tint: WHITE,
            on_solid: BLACK,
        },
    }
}

fn hex((r, g, b): (u8, u8, u8)) -> String {
    format!("#{r:02X}{g:02X}{b:02X}")
}

/// The short name of a label in the style sheet's custom properties.
fn css_name(label: Label) -> &'static str {
    match label {
        Label::Deterrence => "det",
        Label::EscalationWarning => "esc",
        Label::Diplomacy => "dip",
        Label::Neutral => "neu",
    }
}

/// The palette as CSS custom properties: `--det: #0072B2; ... --det-bg:
/// #D9E9F6; ...` (what `report.css` refers to).
pub(super) fn css_properties() -> String {
    let line = |suffix: &str, colour: fn(&Colours) -> (u8, u8, u8)| {
        Label::ALL
            .iter()
            .map(|&l| format!("--{}{suffix}: {};", css_name(l), hex(colour(&colours(l)))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    format!("{}\n  {}", line("", |c| c.solid), line("-bg", |c| c.tint))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_property_the_style_sheet_uses_is_defined() {
        let props = css_properties();
        let sheet = include_str!("report.css");
        for l in Label::ALL {
            for var in [
                format!("--{}", css_name(l)),
                format!("--{}-bg", css_name(l)),
            ] {
                assert!(props.contains(&format!("{var}: #")), "{var}");
            }
        }
        for used in sheet.match_indices("var(--").map(|(i, _)| &sheet[i + 4..]) {
            let name = &used[..used.find(')').unwrap()];
            let defined = props.contains(&format!("{name}:"))
                || ["--ink", "--muted", "--rule"].contains(&name);
            assert!(defined, "report.css uses {name}, which is not defined");
        }
    }
}
