//! Obviously fictitious names: common Swedish first names with made-up surnames.

pub const GIRLS: &[&str] = &[
    "Alice", "Maja", "Elsa", "Astrid", "Wilma", "Freja", "Olivia", "Selma", "Ebba", "Alma", "Ella", "Stella", "Agnes",
    "Clara", "Saga", "Julia", "Ines", "Leah", "Nora", "Vera", "Amira", "Fatima", "Sara", "Hanna", "Ida", "Linnea",
    "Emma", "Elin", "Moa", "Tilde", "Amina", "Sofia", "Leila", "Nova", "Signe", "Edith",
];

pub const BOYS: &[&str] = &[
    "William",
    "Noah",
    "Hugo",
    "Liam",
    "Lucas",
    "Oliver",
    "Elias",
    "Adam",
    "Alexander",
    "Matteo",
    "Leo",
    "Oscar",
    "Viktor",
    "Theo",
    "Nils",
    "Isak",
    "Ludvig",
    "Filip",
    "Axel",
    "Emil",
    "Vincent",
    "Melvin",
    "Omar",
    "Ali",
    "Ahmed",
    "Yusuf",
    "Sixten",
    "Arvid",
    "Malte",
    "Sam",
    "Edvin",
    "Loke",
    "Harry",
    "Kevin",
    "Milo",
    "Mohammed",
];

/// Adult first names for staff and reporters.
pub const ADULTS: &[&str] = &[
    "Anna", "Eva", "Maria", "Karin", "Kristina", "Lena", "Sara", "Emma", "Johanna", "Amira", "Fatima", "Malin",
    "Sofia", "Jenny", "Helena", "Camilla", "Therese", "Linda", "Ulrika", "Petra", "Erik", "Lars", "Karl", "Anders",
    "Johan", "Per", "Mikael", "Peter", "Jonas", "Daniel", "Mattias", "Hassan", "Ahmed", "Marcus", "Fredrik", "Niklas",
    "Tobias", "Henrik", "Magnus", "Ola",
];

pub const SURNAMES: &[&str] = &[
    "Exempelsson",
    "Testberg",
    "Påhittad",
    "Låtsasdotter",
    "Demoström",
    "Provlund",
    "Fiktivsson",
    "Skenberg",
    "Övningsdal",
    "Exempelberg",
    "Testlund",
    "Påhittsson",
    "Låtsaslund",
    "Demoqvist",
    "Provström",
    "Fiktivdal",
    "Skensson",
    "Övningsberg",
    "Mallgren",
    "Modellqvist",
    "Utkastdal",
    "Skissberg",
    "Attrappsson",
    "Dummelind",
    "Prototypsson",
    "Provsdotter",
    "Låtsasberg",
    "Testqvist",
    "Exempeldal",
    "Fiktivlund",
];

pub const SCHOOLS: &[&str] =
    &["Exempelskolan", "Testbergsskolan", "Provlunds skola", "Påhittade gymnasiet", "Övningsdalsskolan"];
pub const PRESCHOOLS: &[&str] = &["Förskolan Exempelgården", "Förskolan Testbacken", "Förskolan Låtsaslyckan"];
pub const HEALTH: &[&str] = &[
    "BVC Provlund",
    "BUP Exempelstad",
    "Akutmottagningen, Demosjukhuset",
    "Vårdcentralen Testberg",
    "Ungdomsmottagningen Exempelstad",
];
pub const POLICE: &[&str] = &["Polisen, lokalpolisområde Exempelstad", "Polisen, länskommunikationscentralen"];
pub const SOCIAL: &[&str] =
    &["Socialförvaltningen, vuxenenheten", "Socialtjänsten i Provköping", "Socialförvaltningen, försörjningsstöd"];
pub const AUTHORITIES: &[&str] =
    &["Försäkringskassan", "Kriminalvården, frivården", "Migrationsverket", "Åklagarmyndigheten"];

/// A lower-case ASCII slug for a staff id ("amira.hassan").
pub fn slug(first: &str, last: &str) -> String {
    let mut s = String::with_capacity(first.len() + last.len() + 1);
    for (i, part) in [first, last].iter().enumerate() {
        if i > 0 {
            s.push('.');
        }
        for c in part.chars().flat_map(char::to_lowercase) {
            match c {
                'å' | 'ä' | 'á' | 'à' => s.push('a'),
                'ö' | 'ó' => s.push('o'),
                'é' | 'è' => s.push('e'),
                'ü' => s.push('u'),
                c if c.is_ascii_alphanumeric() => s.push(c),
                _ => {}
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ascii() {
        assert_eq!(slug("Amira", "Övningsdal"), "amira.ovningsdal");
        assert_eq!(slug("Åsa", "Låtsasdotter"), "asa.latsasdotter");
    }
}
