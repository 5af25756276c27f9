//! Cases beyond the development set: context and negation, offsets, suggestions, custom phrases.

use kept_domain::Lang;
use kept_tone::{CheckInput, Checker, CustomPhrases, Rule, detect_language, mood, usable_text};

fn rules(text: &str, lang: Lang) -> Vec<Rule> {
    Checker::default()
        .check(&CheckInput {
            text,
            lang: Some(lang),
            ..Default::default()
        })
        .rules()
}

#[test]
fn the_documented_json_example() {
    let report = Checker::default().check(&CheckInput {
        text: "Beste relatie,\n\nUw pakket wordt morgen vóór 12:00 bezorgd.",
        customer_name: Some("meneer Jansen"),
        ..Default::default()
    });
    assert_eq!(report.language, Lang::Nl);
    let finding = &report.findings[0];
    assert_eq!(
        (finding.rule, finding.start, finding.end),
        (Rule::GenericGreeting, 0, 14)
    );
    assert_eq!(finding.excerpt, "Beste relatie,");
    assert_eq!(finding.suggestion, "Beste meneer Jansen,");
    assert_eq!(report.score, 85);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["findings"][0]["rule"], "generic_greeting");
    assert_eq!(json["language"], "nl");
}

#[test]
fn denying_fault_is_not_blame() {
    assert!(
        rules(
            "It is not your fault: our system missed the notice. I have refunded the fee today.",
            Lang::En
        )
        .is_empty()
    );
    assert!(
        rules(
            "Het is niet uw schuld; ik heb het bedrag vandaag teruggestort.",
            Lang::Nl
        )
        .is_empty()
    );
    assert_eq!(
        rules("Sorry, but that is not our fault.", Lang::En),
        [Rule::BlamesCustomer, Rule::EmptyApology]
    );
}

#[test]
fn an_apology_with_a_next_step_is_not_empty() {
    assert!(rules("Sorry, I'll call you back at 15:00.", Lang::En).is_empty());
    assert!(rules("Excuses! Ik bel u morgen om 9 uur terug.", Lang::Nl).is_empty());
    assert_eq!(rules("Onze excuses voor het ongemak.", Lang::Nl), [Rule::EmptyApology]);
    assert_eq!(
        rules("We apologise. We will get back to you soon.", Lang::En),
        [Rule::VaguePromise],
        "the promise is the next step"
    );
}

#[test]
fn a_promise_with_a_moment_is_not_vague() {
    assert!(rules("We komen er zo snel mogelijk op terug, uiterlijk vrijdag.", Lang::Nl).is_empty());
    assert!(rules("We'll get back to you within 2 hours.", Lang::En).is_empty());
    assert_eq!(
        rules("We komen er binnenkort op terug.", Lang::Nl),
        [Rule::VaguePromise]
    );
    assert_eq!(
        rules("You have waited three weeks; we will get back to you soon.", Lang::En),
        [Rule::VaguePromise]
    );
}

#[test]
fn repeating_the_customer_is_not_arguing() {
    assert!(
        rules(
            "As you pointed out, the invoice was wrong. I have corrected it today.",
            Lang::En
        )
        .is_empty()
    );
    assert_eq!(
        rules("Zoals ik al zei, moet u de router herstarten.", Lang::Nl),
        [Rule::Arguing]
    );
}

#[test]
fn checking_yourself_is_not_deflection() {
    assert!(
        rules(
            "Ik heb het zelf bij de vervoerder nagevraagd: uw pakket komt morgen.",
            Lang::Nl
        )
        .is_empty()
    );
    assert_eq!(
        rules("Daar gaan wij niet over, u moet bij de vervoerder zijn.", Lang::Nl),
        [Rule::Deflection]
    );
}

#[test]
fn acronyms_and_a_single_exclamation_mark_are_not_shouting() {
    assert!(rules("Uw IBAN en BTW-nummer staan in de PDF. Tot morgen!", Lang::Nl).is_empty());
    assert_eq!(rules("Dit mag NOOIT gebeuren!!", Lang::Nl), [Rule::Shouting]);
}

#[test]
fn an_upset_customer_must_be_acknowledged_first() {
    let angry = "Dit is de derde keer dat ik bel. Belachelijk!";
    let check = |text| {
        Checker::default()
            .check(&CheckInput {
                text,
                lang: Some(Lang::Nl),
                reply_to: Some(angry),
                ..Default::default()
            })
            .rules()
    };
    assert_eq!(
        check("Beste meneer Jansen, uw dossier is bij ons bekend. Ik bel u morgen om 10:00."),
        [Rule::NoAcknowledgement]
    );
    assert!(
        check("Beste meneer Jansen, wat vervelend dat u opnieuw moest bellen. Ik bel u morgen om 10:00.").is_empty()
    );
}

#[test]
fn frustration_reads_irritation_waiting_and_threats() {
    let high = mood("Ik ben écht radeloos en geïrriteerd", None);
    assert!(high.frustration >= 0.5, "{high:?}");
    let same = mood("ik ben echt radeloos en geirriteerd", None);
    assert_eq!(high.frustration, same.frustration, "diacritics and case do not matter");
    assert!(mood("For three weeks nothing. Cancel my subscription.", None).frustrated());
    let calm = mood("Hallo, tot hoe laat zijn jullie zaterdag open? Bedankt!", None);
    assert!(calm.frustration < 0.2, "{calm:?}");
}

#[test]
fn language_is_detected() {
    assert_eq!(detect_language("We will call you tomorrow about your order."), Lang::En);
    assert_eq!(detect_language("Wij bellen u morgen over uw bestelling."), Lang::Nl);
}

#[test]
fn a_business_adds_its_own_phrases() {
    let mut custom = CustomPhrases::new();
    custom
        .entry(Lang::Nl)
        .or_default()
        .insert("blames_customer".into(), vec!["staat in de kleine lettertjes".into()]);
    let checker = Checker::new(&custom).unwrap();
    let text = "Dat staat in de kleine lettertjes.";
    assert_eq!(
        checker
            .check(&CheckInput {
                text,
                lang: Some(Lang::Nl),
                ..Default::default()
            })
            .rules(),
        [Rule::BlamesCustomer]
    );
    assert!(rules(text, Lang::Nl).is_empty(), "not built in");
    custom
        .entry(Lang::En)
        .or_default()
        .insert("no_such_rule".into(), vec!["x".into()]);
    assert!(Checker::new(&custom).is_err());
}

#[test]
fn unusable_input_is_refused_with_a_reason() {
    assert!(usable_text(b"  \n").is_err());
    assert!(usable_text(&[0xff, 0xfe]).is_err());
    assert!(usable_text(&vec![b'a'; 100 * 1024 + 1]).is_err());
    assert_eq!(usable_text("Hallo".as_bytes()), Ok("Hallo"));
}

/// Replies written for these tests, not taken from the development set: each with the rules it
/// must get, clean ones included so that new phrases do not start flagging good replies.
#[test]
fn unseen_replies() {
    let cases: [(Lang, &str, &[Rule]); 26] = [
        (
            Lang::En,
            "Dear valued client, we will look into it and get back to you.",
            &[Rule::GenericGreeting, Rule::VaguePromise],
        ),
        (
            Lang::En,
            "Hi Mark, that's on you: you ignored the instructions.",
            &[Rule::BlamesCustomer],
        ),
        (
            Lang::En,
            "Hi Mark, you'll have to call the manufacturer about that, we only sell them.",
            &[Rule::Deflection],
        ),
        (
            Lang::En,
            "Hi Mark, as I explained twice already, the fee stands.",
            &[Rule::Arguing],
        ),
        (
            Lang::En,
            "Hi Mark, we are sorry for the trouble this has caused.",
            &[Rule::EmptyApology],
        ),
        (
            Lang::En,
            "Hi Mark, our team will contact you in the coming days.",
            &[Rule::VaguePromise],
        ),
        (
            Lang::En,
            "Hi Mark, PLEASE read the manual before calling us again!!",
            &[Rule::Shouting],
        ),
        (
            Lang::En,
            "Hi Mark, we're sorry for the trouble. I've booked an engineer for Monday at 9:00.",
            &[],
        ),
        (
            Lang::En,
            "Hi Mark, your refund of £20 was sent today and will reach you within 2 working days.",
            &[],
        ),
        (
            Lang::En,
            "Hi Mark, if you had any trouble with the app, just reply here and I will call you at 14:00.",
            &[],
        ),
        (
            Lang::En,
            "Hi Mark, the label clearly says fragile, so I have filed a claim with the courier myself today.",
            &[],
        ),
        (
            Lang::En,
            "Good morning Ms Young, I have checked with the courier myself: your parcel arrives tomorrow before noon.",
            &[],
        ),
        (
            Lang::En,
            "Hello Ravi, it was not your mistake at all. I have corrected the invoice and sent it to you just now.",
            &[],
        ),
        (
            Lang::Nl,
            "Geachte klant, wij pakken het zo snel mogelijk op.",
            &[Rule::GenericGreeting, Rule::VaguePromise],
        ),
        (
            Lang::Nl,
            "Hoi Sanne, dat heb je zelf verkeerd ingesteld.",
            &[Rule::BlamesCustomer],
        ),
        (
            Lang::Nl,
            "Hoi Sanne, hiervoor moet je bij je bank zijn, niet bij ons.",
            &[Rule::Deflection],
        ),
        (
            Lang::Nl,
            "Hoi Sanne, zoals eerder gezegd is de termijn verlopen.",
            &[Rule::Arguing],
        ),
        (
            Lang::Nl,
            "Hoi Sanne, onze excuses voor de vertraging.",
            &[Rule::EmptyApology],
        ),
        (
            Lang::Nl,
            "Hoi Sanne, we nemen binnenkort contact met je op.",
            &[Rule::VaguePromise],
        ),
        (
            Lang::Nl,
            "Hoi Sanne, je moet het formulier WEL ondertekenen!!",
            &[Rule::Shouting],
        ),
        (
            Lang::Nl,
            "Hoi Sanne, excuses voor de vertraging! Je pakket gaat vandaag nog op de post.",
            &[],
        ),
        (
            Lang::Nl,
            "Beste meneer De Boer, uw nieuwe pas is vandaag verstuurd en ligt uiterlijk donderdag in de bus.",
            &[],
        ),
        (
            Lang::Nl,
            "Beste meneer De Boer, het staat duidelijk op de website, dus ik begrijp uw verwarring niet helemaal. Ik pas het vandaag aan.",
            &[],
        ),
        (
            Lang::Nl,
            "Dag mevrouw Peeters, ik heb zelf contact opgenomen met de leverancier; de monteur komt woensdag tussen 8:00 en 10:00.",
            &[],
        ),
        (
            Lang::Nl,
            "Hallo Bram, je hebt helemaal gelijk, dat had niet mogen gebeuren. Ik stort het bedrag vandaag terug.",
            &[],
        ),
        (
            Lang::Nl,
            "Goedemorgen, uw bestelling (ordernummer 4411) wordt morgen tussen 9 en 13 uur bezorgd door PostNL.",
            &[],
        ),
    ];
    let wrong: Vec<String> = cases
        .iter()
        .filter(|(lang, text, expected)| rules(text, *lang) != *expected)
        .map(|(lang, text, expected)| format!("{text}: expected {expected:?}, got {:?}", rules(text, *lang)))
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}
