## Words the code puts together: embeds, Telegram posts, emails. Email layouts are templates/email/

embed_title_youtube = Відео на YouTube
embed_title_tiktok = Відео в TikTok
embed_title_x = Допис в X
embed_title_telegram = Допис у Telegram
embed_load = Показати
embed_note = Після натискання завантажиться вміст із { $provider }, і { $provider } отримає ваші дані.
embed_open = Відкрити в { $provider }

# The link under a story in Telegram posts and newsletters.
read_story = Читати

newsletter_email_invalid = Перевірте адресу електронної пошти
newsletter_throttled = Забагато спроб; спробуйте пізніше
confirm_subject = Підтвердіть підписку — { $site }
confirm_intro = Щоб отримувати розсилку «{ $site }», підтвердіть підписку:
confirm_ignore = Якщо ви не підписувалися, просто проігноруйте цей лист.
digest_subject = Картина дня — { $date }
digest_why = Ви отримали цей лист, бо підписалися на розсилку.
unsubscribe = Відписатися
receipt_subject = { $site }: квитанція
receipt_thanks = Дякуємо за підтримку { $site }!
receipt_monthly = щомісяця
receipt_manage = Переглянути внески або зупинити щомісячну підтримку:
