//! The card-image half of `flow_emv`: the input picks a bundled image and drives the hostile
//! mutations of [`crate::image::hostile`] (the same ones `tapcert sim --hostile` serves), then
//! the reference terminal transacts with the resulting [`ImageCard`].

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use super::{CommandCheck, MAX_EMV_COMMANDS, check_observation};
use crate::clock::{Clock, ManualClock};
use crate::image::hostile::{ByteSource, HANG_EXCHANGES, HANG_TIME, apply_mutation, wrong_outcome};
use crate::image::{CardImage, ImageCard, bundled_image, bundled_image_names};
use crate::terminal::{TerminalConfig, read_emv};
use crate::transport::{InProcess, T0};

fn bases() -> &'static [CardImage] {
    static BASES: OnceLock<Vec<CardImage>> = OnceLock::new();
    BASES.get_or_init(|| bundled_image_names().filter_map(|n| bundled_image(n).ok()).collect())
}

/// Runs the reference terminal against the image `data` describes: byte 0 picks the bundled
/// image, byte 1 the number of mutations (0-3), then each mutation's kind and choices; what
/// is left feeds the terminal's unpredictable numbers.
pub(super) fn fuzz_flow_emv_image(data: &[u8]) {
    let bases = bases();
    let mut src = ByteSource::new(data);
    let Some(base) = bases.get(usize::from(src.byte()) % bases.len().max(1)) else { return };
    let mut image = base.clone();
    for _ in 0..src.byte() % 4 {
        let which = usize::from(src.byte());
        apply_mutation(&mut image, which, &mut src);
    }
    let start = Duration::from_secs(1_795_314_742);
    let clock = ManualClock::new(start, Duration::ZERO);
    let card = ImageCard::new(image.clone(), Arc::new(clock.clone())).with_exchange_limit(HANG_EXCHANGES);
    let log = card.log();
    let inner = T0::new(InProcess::with_clock(card, Arc::new(clock.clone())));
    let mut t = crate::transport::Layered::with(inner, CommandCheck { commands: 0, limit: MAX_EMV_COMMANDS });
    let obs = read_emv(&mut t, &TerminalConfig::default(), &mut src, &clock);
    check_observation(&obs, t.layer().commands);
    let elapsed = clock.now().saturating_sub(start);
    assert!(elapsed <= HANG_TIME, "the terminal took {elapsed:?} on the clock");
    if let Some(why) = wrong_outcome(&image, &obs, &log) {
        panic!("{why}\n{}", image.to_toml());
    }
}
