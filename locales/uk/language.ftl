## What the site needs to know about the language itself.

# The language's own name, in the language switcher.
language_name = Українська
# Open Graph locale (og:locale).
og_locale = uk_UA
# ISO 15924 script; people's names in another script are transliterated.
script = Cyrl

## Dates. Months as a date uses them (the genitive in Ukrainian).

month_1 = січня
month_2 = лютого
month_3 = березня
month_4 = квітня
month_5 = травня
month_6 = червня
month_7 = липня
month_8 = серпня
month_9 = вересня
month_10 = жовтня
month_11 = листопада
month_12 = грудня
weekday_1 = понеділок
weekday_2 = вівторок
weekday_3 = середа
weekday_4 = четвер
weekday_5 = пʼятниця
weekday_6 = субота
weekday_7 = неділя
# "25 листопада 2026"
date = { $day } { $month } { $year }
# "25 листопада 2026, 14:05"
datetime = { $date }, { $time }
# A day heading on the home page: "понеділок, 23 листопада"
day_heading = { $weekday }, { $day } { $month }

## Money as readers see it.

money_uah = { $amount } грн
money_eur = €{ $amount }
money_usd = ${ $amount }

## Counting, with the language's plural rules.

stories_count = { $count ->
    [one] { $count } матеріал
    [few] { $count } матеріали
   *[many] { $count } матеріалів
}
attempts_count = { $count ->
    [one] { $count } спроба
    [few] { $count } спроби
   *[many] { $count } спроб
}
