//! The SEPA payment QR code (EPC069-12, "GiroCode") of an own-share deposit: a banking app
//! scans it and fills in the beneficiary, the account, the exact amount and the structured
//! reference.

use base64::Engine;
use kmo_domain::Cents;
use qrcode::{EcLevel, QrCode};

/// The EPC069-12 payload (version 002, UTF-8, SEPA credit transfer, no BIC): the Belgian
/// structured reference goes in the unstructured remittance line, where Belgian banks read it.
#[must_use]
pub fn epc_payload(beneficiary: &str, iban: &str, amount: Cents, reference: &str) -> String {
    let iban: String = iban.chars().filter(|c| !c.is_whitespace()).collect();
    let cents = amount.get();
    let name: String = beneficiary.chars().take(70).collect();
    format!(
        "BCD\n002\n1\nSCT\n\n{name}\n{iban}\nEUR{}.{:02}\n\n\n{reference}",
        cents / 100,
        cents % 100
    )
}

/// The QR code of `payload` as an SVG image in a `data:` URL (error correction M, as the EPC
/// asks), for an `<img>`: the page embeds no markup it did not write itself.
#[must_use]
pub fn svg_data_url(payload: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build();
    Some(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;

    #[test]
    fn the_payload_is_epc069_12_with_the_exact_amount_and_reference() {
        let p = epc_payload(
            "kmo-portefeuille",
            "BE10 0910 1234 5604",
            Cents::new(84_005),
            "+++000/0000/01111+++",
        );
        assert_eq!(
            p,
            "BCD\n002\n1\nSCT\n\nkmo-portefeuille\nBE10091012345604\nEUR840.05\n\n\n+++000/0000/01111+++"
        );
        let url = svg_data_url(&p).unwrap();
        assert!(url.starts_with("data:image/svg+xml;base64,"));
        let svg = base64::engine::general_purpose::STANDARD
            .decode(url.trim_start_matches("data:image/svg+xml;base64,"))
            .unwrap();
        assert!(String::from_utf8(svg).unwrap().contains("<svg"));
    }

    #[test]
    fn a_scanner_reads_the_payload_back() {
        let p = epc_payload(
            "kmo-portefeuille VLAIO",
            "BE10 0910 1234 5604",
            Cents::new(123_456),
            "+++000/0000/01010+++",
        );
        let code = QrCode::with_error_correction_level(p.as_bytes(), EcLevel::M).unwrap();
        // The modules as a grey image, 4 pixels a module, with a quiet zone of 4 modules.
        let width = code.width();
        let colors = code.to_colors();
        let scale = 4;
        let side = (width + 8) * scale;
        let dark = |x: usize, y: usize| {
            let (mx, my) = ((x / scale).checked_sub(4), (y / scale).checked_sub(4));
            match (mx, my) {
                (Some(mx), Some(my)) if mx < width && my < width => {
                    colors[my * width + mx] == qrcode::Color::Dark
                }
                _ => false,
            }
        };
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
            if dark(x, y) { 0 } else { 255 }
        });
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().unwrap();
        assert_eq!(content, p);
    }
}
