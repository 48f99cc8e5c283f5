## Words the code puts together: embeds, Telegram posts, emails. Email layouts are templates/email/

embed_title_youtube = Wideo w YouTube
embed_title_tiktok = Wideo w TikToku
embed_title_x = Wpis w X
embed_title_telegram = Wpis w Telegramie
embed_load = Pokaż
embed_note = Po kliknięciu załaduje się treść z { $provider }, a { $provider } otrzyma Twoje dane.
embed_open = Otwórz w { $provider }

# The link under a story in Telegram posts and newsletters.
read_story = Czytaj

newsletter_email_invalid = Sprawdź adres e-mail
newsletter_throttled = Zbyt wiele prób; spróbuj później
confirm_subject = Potwierdź subskrypcję — { $site }
confirm_intro = Aby otrzymywać newsletter „{ $site }”, potwierdź subskrypcję:
confirm_ignore = Jeśli to nie Ty się zapisałeś(-aś), zignoruj tę wiadomość.
digest_subject = Najważniejsze dnia — { $date }
digest_why = Otrzymujesz tę wiadomość, bo zapisałeś(-aś) się na newsletter.
unsubscribe = Wypisz się
receipt_subject = { $site }: potwierdzenie wpłaty
receipt_thanks = Dziękujemy za wsparcie { $site }!
receipt_monthly = co miesiąc
receipt_manage = Zobacz swoje wpłaty lub zatrzymaj wsparcie comiesięczne:
