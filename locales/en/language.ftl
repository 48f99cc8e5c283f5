## What the site needs to know about the language itself.

# The language's own name, in the language switcher.
language_name = English
# Open Graph locale (og:locale).
og_locale = en_US
# ISO 15924 script; people's names in another script are transliterated.
script = Latn

## Dates. Months as a date uses them.

month_1 = January
month_2 = February
month_3 = March
month_4 = April
month_5 = May
month_6 = June
month_7 = July
month_8 = August
month_9 = September
month_10 = October
month_11 = November
month_12 = December
weekday_1 = Monday
weekday_2 = Tuesday
weekday_3 = Wednesday
weekday_4 = Thursday
weekday_5 = Friday
weekday_6 = Saturday
weekday_7 = Sunday
# "25 November 2026"
date = { $day } { $month } { $year }
# "25 November 2026, 14:05"
datetime = { $date }, { $time }
# A day heading on the home page: "Monday, 23 November"
day_heading = { $weekday }, { $day } { $month }

## Money as readers see it.

money_uah = UAH { $amount }
money_eur = €{ $amount }
money_usd = ${ $amount }

## Counting, with the language's plural rules.

stories_count = { $count ->
    [one] { $count } story
   *[other] { $count } stories
}
attempts_count = { $count ->
    [one] { $count } attempt
   *[other] { $count } attempts
}
