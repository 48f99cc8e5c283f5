## What the site needs to know about the language itself.

# The language's own name, in the language switcher.
language_name = Polski
# Open Graph locale (og:locale).
og_locale = pl_PL
# ISO 15924 script; people's names in another script are transliterated.
script = Latn

## Dates. Months as a date uses them (the genitive in Polish).

month_1 = stycznia
month_2 = lutego
month_3 = marca
month_4 = kwietnia
month_5 = maja
month_6 = czerwca
month_7 = lipca
month_8 = sierpnia
month_9 = września
month_10 = października
month_11 = listopada
month_12 = grudnia
weekday_1 = poniedziałek
weekday_2 = wtorek
weekday_3 = środa
weekday_4 = czwartek
weekday_5 = piątek
weekday_6 = sobota
weekday_7 = niedziela
# "25 listopada 2026"
date = { $day } { $month } { $year }
# "25 listopada 2026, 14:05"
datetime = { $date }, { $time }
# A day heading on the home page: "poniedziałek, 23 listopada"
day_heading = { $weekday }, { $day } { $month }

## Money as readers see it.

money_uah = { $amount } UAH
money_eur = { $amount } €
money_usd = { $amount } USD

## Counting, with the language's plural rules.

stories_count = { $count ->
    [one] { $count } artykuł
    [few] { $count } artykuły
   *[many] { $count } artykułów
}
attempts_count = { $count ->
    [one] { $count } próba
    [few] { $count } próby
   *[many] { $count } prób
}
