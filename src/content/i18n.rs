//! Interface words and dates in Ukrainian and English.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// (key, Ukrainian, English). Templates read them as `t.key`.
const STRINGS: &[(&str, &str, &str)] = &[
    ("skip_to_content", "Перейти до змісту", "Skip to content"),
    ("home", "Головна", "Home"),
    ("sections", "Розділи", "Sections"),
    ("search", "Пошук", "Search"),
    ("about_us", "Про редакцію", "About us"),
    ("search_label", "Пошук на сайті", "Search the site"),
    ("search_button", "Шукати", "Search"),
    ("search_results_for", "Результати пошуку", "Search results"),
    (
        "search_nothing",
        "Нічого не знайдено. Спробуйте інші слова.",
        "Nothing found. Try other words.",
    ),
    (
        "search_hint",
        "Введіть слово або кілька слів.",
        "Type a word or a few words.",
    ),
    ("today", "Сьогодні", "Today"),
    ("yesterday", "Вчора", "Yesterday"),
    ("news_of_the_day", "Головне за день", "The news of the day"),
    ("older", "Старіші матеріали", "Older stories"),
    ("newer", "Новіші матеріали", "Newer stories"),
    ("page", "Сторінка", "Page"),
    ("pagination", "Сторінки", "Pages"),
    ("by", "Автор:", "By"),
    ("and", "і", "and"),
    ("published", "Опубліковано", "Published"),
    ("updated", "Оновлено", "Updated"),
    ("sources", "Джерела", "Sources"),
    (
        "sources_intro",
        "На що спирається цей матеріал:",
        "What this story is based on:",
    ),
    (
        "corrections",
        "Виправлення та оновлення",
        "Corrections and updates",
    ),
    ("correction", "Виправлення", "Correction"),
    ("update", "Оновлення", "Update"),
    ("photo", "Фото", "Photo"),
    ("tags", "Теги", "Tags"),
    ("related", "Читайте також", "Related stories"),
    (
        "other_language",
        "Цей матеріал іншою мовою",
        "This story in another language",
    ),
    ("section", "Розділ", "Section"),
    ("tag", "Тег", "Tag"),
    ("author", "Автор", "Author"),
    ("stories_by", "Матеріали автора", "Stories by"),
    ("archive", "Архів", "Archive"),
    (
        "no_stories",
        "Поки що тут немає матеріалів.",
        "No stories here yet.",
    ),
    ("feed", "RSS-стрічка", "RSS feed"),
    ("atom_feed", "Atom-стрічка", "Atom feed"),
    (
        "support_title",
        "Підтримайте незалежну журналістику",
        "Support independent journalism",
    ),
    (
        "support_text",
        "Ми існуємо завдяки читачам. Ваш внесок допомагає нам розповідати повну картину дня.",
        "Readers keep us going. Your support helps us tell the full story of every day.",
    ),
    ("language_switch", "Мова сайту", "Site language"),
    ("error_not_found", "Сторінку не знайдено", "Page not found"),
    (
        "error_not_found_text",
        "Можливо, посилання застаріло або в адресі помилка.",
        "The link may be out of date, or the address may have a typo.",
    ),
    ("error_bad_request", "Неправильний запит", "Bad request"),
    (
        "error_bad_request_text",
        "Ми не змогли прочитати цю адресу.",
        "We could not read this address.",
    ),
    ("error_server", "Щось пішло не так", "Something went wrong"),
    (
        "error_server_text",
        "Ми вже знаємо про проблему. Спробуйте, будь ласка, трохи пізніше.",
        "We know about the problem. Please try again a little later.",
    ),
    ("go_home", "На головну", "Go to the home page"),
    (
        "all_rights",
        "Незалежна редакція, яку підтримують читачі.",
        "An independent, reader-funded newsroom.",
    ),
    ("more_in_section", "Більше в розділі", "More in"),
    ("support", "Підтримати", "Support us"),
    (
        "support_page_title",
        "Підтримайте редакцію",
        "Support the newsroom",
    ),
    (
        "support_page_text",
        "Ми не беремо грошей від казино й політиків. Нас утримують читачі та гранти — і ми хочемо, щоб читачів було більше.",
        "We take no money from casinos or politicians. Readers and grants keep us going, and we want readers to be the larger part.",
    ),
    ("amount", "Сума", "Amount"),
    ("other_amount", "Інша сума", "Other amount"),
    ("currency", "Валюта", "Currency"),
    ("your_name", "Ім'я (не обов'язково)", "Name (optional)"),
    (
        "your_email",
        "Пошта для квитанції (не обов'язково)",
        "Email for the receipt (optional)",
    ),
    ("give_once", "Підтримати один раз", "Give once"),
    ("give_monthly", "Підтримувати щомісяця", "Give monthly"),
    ("once_word", "один раз", "once"),
    ("monthly_word", "щомісяця", "monthly"),
    ("give", "Підтримати", "Give"),
    ("donation_errors", "Перевірте, будь ласка:", "Please check:"),
    (
        "provider_unavailable",
        "Платіжна система зараз не відповідає, і гроші не списано. Спробуйте за хвилину або оберіть іншу валюту чи спосіб оплати.",
        "The payment provider is not answering right now, and nothing was charged. Please try again in a minute, or choose another currency or way to pay.",
    ),
    ("sandbox_title", "Тестова оплата", "Test payment"),
    (
        "sandbox_text",
        "Це демонстрація: гроші не списуються, картка не потрібна.",
        "This is a demonstration: no money moves and no card is needed.",
    ),
    ("sandbox_pay", "Сплатити (тест)", "Pay (test)"),
    ("sandbox_cancel", "Скасувати", "Cancel"),
    ("every_month", "щомісяця", "every month"),
    ("thanks_title", "Дякуємо!", "Thank you!"),
    ("newsletter", "Розсилка", "Newsletter"),
    (
        "newsletter_pitch",
        "Картина дня щоранку у вашій пошті.",
        "The day's news in your inbox every morning.",
    ),
    ("newsletter_email", "Ваша пошта", "Your email"),
    ("newsletter_subscribe", "Підписатися", "Subscribe"),
    (
        "newsletter_check",
        "Ми надіслали лист із посиланням. Відкрийте його, щоб підтвердити підписку.",
        "We sent you a link. Open it to confirm your subscription.",
    ),
    (
        "newsletter_confirm",
        "Підтвердити підписку",
        "Confirm subscription",
    ),
    (
        "newsletter_confirmed",
        "Готово: ви підписані на розсилку.",
        "Done: you are subscribed to the newsletter.",
    ),
    ("newsletter_unsubscribe", "Відписатися", "Unsubscribe"),
    (
        "newsletter_unsubscribe_ask",
        "Більше не надсилати вам розсилку на",
        "Stop sending the newsletter to",
    ),
    (
        "newsletter_unsubscribed",
        "Ви відписалися. Більше листів не буде.",
        "You are unsubscribed. No more emails will come.",
    ),
    (
        "newsletter_bad_link",
        "Посилання недійсне або застаріле.",
        "This link is invalid or has expired.",
    ),
    ("videos", "Відео", "Videos"),
    ("videos_none", "Відео ще немає.", "No videos yet."),
    ("manage_support", "Ваша підтримка", "Your support"),
    (
        "donor_link_text",
        "Введіть пошту, з якою ви підтримували нас, і ми надішлемо посилання на сторінку ваших внесків.",
        "Enter the email you gave with, and we will send a link to your page.",
    ),
    (
        "donor_link_sent",
        "Якщо з цієї адреси були внески, ми надіслали на неї посилання. Воно діє добу.",
        "If this address has given before, we have sent it a link. It works for a day.",
    ),
    ("send_link", "Надіслати посилання", "Send the link"),
    ("monthly_support", "Щомісячна підтримка", "Monthly support"),
    (
        "stop_monthly",
        "Зупинити щомісячну підтримку",
        "Stop monthly support",
    ),
    ("stopped", "зупинено", "stopped"),
    (
        "no_monthly",
        "Щомісячної підтримки немає.",
        "No monthly support.",
    ),
    ("your_gifts", "Ваші внески", "Your gifts"),
    (
        "manage_in_stripe",
        "Картка й рахунки у Stripe",
        "Card and invoices at Stripe",
    ),
    ("your_data", "Ваші дані", "Your data"),
    (
        "download_data",
        "Завантажити мої дані (JSON)",
        "Download my data (JSON)",
    ),
    (
        "erase_data",
        "Стерти моє ім'я та пошту",
        "Erase my name and email",
    ),
    (
        "continue_to_liqpay",
        "Перейти до оплати через LiqPay",
        "Continue to pay with LiqPay",
    ),
    (
        "thanks_pending",
        "Дякуємо! Ми чекаємо на підтвердження платежу від платіжної системи.",
        "Thank you! We are waiting for the payment provider to confirm.",
    ),
    (
        "thanks_text",
        "Ваша підтримка допомагає нам працювати незалежно.",
        "Your support keeps us independent.",
    ),
    (
        "thanks_cancelled",
        "Оплату скасовано. Нічого не списано.",
        "The payment was cancelled. Nothing was charged.",
    ),
    (
        "donations_closed",
        "Пожертви поки не налаштовано.",
        "Donations are not set up yet.",
    ),
];

/// Words of the newsroom admin. Templates read them as `a.key`.
const ADMIN_STRINGS: &[(&str, &str, &str)] = &[
    ("admin", "Редакція", "Newsroom"),
    ("dashboard", "Огляд", "Dashboard"),
    ("distribution", "Розповсюдження", "Distribution"),
    ("channel", "Канал", "Channel"),
    ("channel_telegram", "Telegram", "Telegram"),
    ("channel_x", "X", "X"),
    ("channel_fediverse", "Федиверс", "Fediverse"),
    ("channel_newsletter", "Розсилка", "Newsletter"),
    ("channels", "Канали", "Channels"),
    ("channel_on", "Увімкнено", "On"),
    ("channel_off", "Не налаштовано", "Not set up"),
    ("followers", "підписників", "followers"),
    ("digest_at", "Дайджест щодня о", "Daily digest at"),
    ("needs_attention", "Потребує уваги", "Needs attention"),
    (
        "nothing_failed",
        "Усе надіслано: збоїв немає.",
        "Everything went out: no failures.",
    ),
    ("article", "Матеріал", "Story"),
    ("subscriber_state", "Стан", "Status"),
    ("count", "Кількість", "Count"),
    ("subscriber_active", "Активні", "Active"),
    ("subscriber_pending", "Не підтвердили", "Not confirmed"),
    ("subscriber_unsubscribed", "Відписалися", "Unsubscribed"),
    ("subscriber_bounced", "Адреса не існує", "Address bounced"),
    (
        "no_subscribers",
        "Підписників ще немає.",
        "No subscribers yet.",
    ),
    ("recent_issues", "Останні випуски", "Recent issues"),
    ("issue", "Випуск", "Issue"),
    ("delivery_digest", "Дайджест", "Digest"),
    ("delivery_story", "Окремий лист", "Single story"),
    (
        "delivery_next_digest",
        "У наступному дайджесті",
        "In the next digest",
    ),
    ("newsletter_sent", "надіслано", "sent"),
    ("newsletter_waiting", "у черзі", "queued"),
    ("newsletter_failed", "не доставлено", "not delivered"),
    ("delivery_action", "Дія", "Action"),
    ("delivery_state", "Стан", "Status"),
    ("delivery_when", "Коли", "When"),
    ("delivery_actions", "Керування", "Controls"),
    ("delivery_publish", "Публікація", "Post"),
    ("delivery_update", "Оновлення", "Edit"),
    ("delivery_unpublish", "Видалення", "Removal"),
    (
        "delivery_accept",
        "Підтвердження підписки",
        "Follow accepted",
    ),
    ("delivery_state_pending", "У черзі", "Queued"),
    ("delivery_state_sending", "Надсилається", "Sending"),
    ("delivery_state_sent", "Надіслано", "Sent"),
    ("delivery_state_dead", "Не вдалося", "Failed"),
    ("delivery_state_cancelled", "Скасовано", "Cancelled"),
    (
        "delivery_state_unknown",
        "Перервано — перевірте канал",
        "Interrupted — check the channel",
    ),
    ("delivery_attempts", "спроб", "attempts"),
    ("delivery_retry", "Повторити", "Retry"),
    ("delivery_cancel", "Скасувати", "Cancel"),
    (
        "no_deliveries",
        "Канали розповсюдження не налаштовані або ще не отримали цей матеріал.",
        "No channel is set up, or none has received this story yet.",
    ),
    (
        "send_newsletter",
        "Надіслати розсилкою",
        "Send as newsletter",
    ),
    (
        "done_newsletter_queued",
        "Матеріал піде підписникам розсилки.",
        "The story is on its way to newsletter subscribers.",
    ),
    (
        "done_newsletter_already",
        "Цей матеріал уже надсилали розсилкою — вдруге його не надішлемо.",
        "This story was already sent by newsletter; it will not be sent twice.",
    ),
    (
        "done_delivery_retry",
        "Спробуємо надіслати ще раз.",
        "It will be sent again.",
    ),
    (
        "done_delivery_cancel",
        "Надсилання скасовано.",
        "Sending cancelled.",
    ),
    ("articles", "Матеріали", "Articles"),
    ("new_article", "Новий матеріал", "New article"),
    ("account", "Обліковий запис", "Account"),
    ("sign_in", "Увійти", "Sign in"),
    ("sign_in_title", "Вхід для редакції", "Newsroom sign-in"),
    ("sign_out", "Вийти", "Sign out"),
    (
        "sign_out_everywhere",
        "Вийти на всіх пристроях",
        "Sign out everywhere",
    ),
    ("email", "Електронна пошта", "Email"),
    ("password", "Пароль", "Password"),
    (
        "wrong_credentials",
        "Неправильна пошта або пароль.",
        "Wrong email or password.",
    ),
    (
        "throttled",
        "Забагато невдалих спроб. Спробуйте знову за {minutes} хв.",
        "Too many failed attempts. Try again in {minutes} minutes.",
    ),
    ("signed_in_as", "Ви увійшли як", "Signed in as"),
    (
        "published_today",
        "Опубліковано сьогодні",
        "Published today",
    ),
    ("scheduled", "Заплановано", "Scheduled"),
    (
        "waiting_review",
        "Чекають на перевірку",
        "Waiting for review",
    ),
    ("my_drafts", "Мої чернетки", "My drafts"),
    ("nothing", "Нічого.", "Nothing."),
    ("status", "Статус", "Status"),
    ("status_draft", "Чернетка", "Draft"),
    ("status_in_review", "На перевірці", "In review"),
    ("status_scheduled", "Заплановано", "Scheduled"),
    ("status_published", "Опубліковано", "Published"),
    ("status_unpublished", "Знято з публікації", "Unpublished"),
    ("any", "Усі", "Any"),
    ("filter", "Показати", "Filter"),
    ("headline", "Заголовок", "Headline"),
    ("standfirst", "Лід", "Standfirst"),
    ("body", "Текст (Markdown)", "Body (Markdown)"),
    ("preview", "Попередній перегляд", "Preview"),
    ("language", "Мова", "Language"),
    ("slug", "Адреса (slug)", "Address (slug)"),
    (
        "slug_hint",
        "Порожньо — створиться із заголовка.",
        "Leave empty to make one from the headline.",
    ),
    ("section", "Розділ", "Section"),
    ("none", "—", "—"),
    ("tags", "Теги (через кому)", "Tags (comma-separated)"),
    ("authors", "Автори", "Authors"),
    ("cover", "Обкладинка", "Cover image"),
    ("cover_url", "Адреса зображення", "Image address"),
    (
        "cover_alt",
        "Опис для незрячих (alt)",
        "Description for blind readers (alt)",
    ),
    ("cover_credit", "Автор фото", "Credit"),
    ("sources", "Джерела", "Sources"),
    ("source_outlet", "Видання", "Outlet"),
    ("source_url", "Посилання", "Link"),
    ("source_citation", "Як цитуємо", "How it is cited"),
    ("add_source", "Додати джерело", "Add source"),
    ("remove", "Прибрати", "Remove"),
    ("move_up", "Вище", "Move up"),
    ("move_down", "Нижче", "Move down"),
    ("seo", "Пошук і соцмережі", "Search and social"),
    ("meta_title", "Заголовок для пошуку", "Search title"),
    ("meta_description", "Опис для пошуку", "Search description"),
    (
        "social_image",
        "Зображення для соцмереж (якщо не обкладинка)",
        "Social image (if not the cover)",
    ),
    (
        "translation_of",
        "Переклад матеріалу №",
        "Translation of article #",
    ),
    ("save", "Зберегти", "Save"),
    ("saved", "Збережено.", "Saved."),
    ("workflow", "Робочий процес", "Workflow"),
    ("submit", "Надіслати на перевірку", "Submit for review"),
    (
        "return_to_draft",
        "Повернути на доопрацювання",
        "Return to draft",
    ),
    ("publish", "Опублікувати", "Publish"),
    ("schedule", "Запланувати", "Schedule"),
    ("schedule_at", "Час публікації", "Publish at"),
    ("unschedule", "Скасувати планування", "Unschedule"),
    ("unpublish", "Зняти з публікації", "Unpublish"),
    ("view_on_site", "Відкрити на сайті", "View on site"),
    (
        "read_only",
        "Ви можете переглядати цей матеріал, але не змінювати його.",
        "You can view this article but not change it.",
    ),
    (
        "conflict",
        "Поки ви редагували, хтось інший зберіг цей матеріал. Ваш текст нижче не втрачено: порівняйте з їхньою версією, перенесіть потрібне і збережіть ще раз.",
        "Someone else saved this article while you were editing. Your text below is not lost: compare it with their version, carry over what you need and save again.",
    ),
    ("their_version", "Їхня версія", "Their version"),
    (
        "recovered",
        "Знайдено незбережений текст із цього браузера.",
        "Unsaved text from this browser was found.",
    ),
    ("restore", "Відновити", "Restore"),
    ("discard", "Відкинути", "Discard"),
    ("errors", "Виправте, будь ласка:", "Please fix:"),
    ("updated_at", "Змінено", "Changed"),
    ("by_authors", "Автори", "Authors"),
    ("change_password", "Змінити пароль", "Change password"),
    ("current_password", "Поточний пароль", "Current password"),
    (
        "new_password",
        "Новий пароль (щонайменше 12 символів)",
        "New password (at least 12 characters)",
    ),
    (
        "password_changed",
        "Пароль змінено. Увійдіть знову.",
        "Password changed. Please sign in again.",
    ),
    (
        "must_change_password",
        "Це тимчасовий пароль: змініть його.",
        "This is a temporary password: please change it.",
    ),
    ("toolbar", "Форматування", "Formatting"),
    ("revisions", "Історія змін", "Revisions"),
    ("funding", "Фінансування", "Funding"),
    ("currency", "Валюта", "Currency"),
    ("active_monthly", "Щомісячні донори", "Monthly supporters"),
    (
        "mrr",
        "Щомісячний дохід від підписок",
        "Monthly recurring revenue",
    ),
    (
        "readers_share",
        "Частка читачів за рік",
        "Readers' share, last 12 months",
    ),
    ("churn", "Відтік за 30 днів", "Churn, last 30 days"),
    (
        "average_gift",
        "Середній внесок цього місяця",
        "Average gift this month",
    ),
    ("income_by_month", "Дохід за місяцями", "Income by month"),
    ("readers", "Читачі", "Readers"),
    ("grants", "Гранти", "Grants"),
    ("month", "Місяць", "Month"),
    ("readers_share_month", "Частка читачів", "Readers' share"),
    (
        "top_articles",
        "Матеріали, що принесли найбільше внесків",
        "Articles that brought the most gifts",
    ),
    ("funder", "Донор гранту", "Funder"),
    ("audit_log", "Журнал дій", "Audit log"),
    (
        "revoke_previews",
        "Відкликати всі посилання на перегляд",
        "Revoke all preview links",
    ),
    ("access", "Доступ", "Access"),
    ("disable", "Вимкнути", "Disable"),
    ("enable", "Увімкнути", "Enable"),
    ("disabled", "Вимкнено", "Disabled"),
    ("api_keys", "Ключі Admin API", "Admin API keys"),
    (
        "key_shown_once",
        "Новий ключ. Збережіть його зараз: вдруге його не покажуть.",
        "The new key. Store it now: it will not be shown again.",
    ),
    ("scopes", "Дозволи", "Scopes"),
    ("last_used", "Востаннє вжито", "Last used"),
    ("revoked", "Відкликано", "Revoked"),
    ("revoke", "Відкликати", "Revoke"),
    ("key_name", "Назва ключа", "Key name"),
    ("create_key", "Створити ключ", "Create key"),
    ("when", "Коли", "When"),
    ("who", "Хто", "Who"),
    ("address", "Адреса", "Address"),
    ("what", "Що", "What"),
    ("details", "Подробиці", "Details"),
    ("older", "Давніші", "Older"),
    (
        "payment_mismatches",
        "Оплати, що не відповідають обіцянці (не зараховано)",
        "Payments that did not match the pledge (not counted)",
    ),
    ("pledged", "обіцяно", "pledged"),
    ("amount_label", "Сума", "Amount"),
    ("period_start", "Початок періоду", "Period starts"),
    ("period_end", "Кінець періоду", "Period ends"),
    ("note", "Примітка", "Note"),
    ("add_grant", "Додати грант", "Add grant"),
    ("code_title", "Код із застосунку", "Code from your app"),
    ("code", "Шестизначний код", "Six-digit code"),
    (
        "code_wrong",
        "Код не підходить. Перевірте час на телефоні й спробуйте ще раз.",
        "That code is not right. Check the time on your phone and try again.",
    ),
    (
        "code_locked",
        "Забагато неправильних кодів. Вхід за кодом заблоковано на 15 хвилин; ми надіслали вам лист.",
        "Too many wrong codes. Signing in with a code is locked for 15 minutes; we have emailed you.",
    ),
    (
        "stale_publish",
        "Нічого не опубліковано: матеріал змінили після того, як ви його відкрили. Нижче — що змінилося; відкрийте матеріал знову, перевірте і тоді публікуйте.",
        "Nothing was published: the article changed after you opened it. The changes are below; open the article again, check them, then publish.",
    ),
    ("two_factor", "Двофакторний вхід", "Two-factor sign-in"),
    (
        "two_factor_on",
        "Двофакторний вхід увімкнено.",
        "Two-factor sign-in is on.",
    ),
    (
        "two_factor_required",
        "Редакція вимагає двофакторного входу: налаштуйте його, щоб продовжити.",
        "The newsroom requires two-factor sign-in: set it up to continue.",
    ),
    (
        "two_factor_scan",
        "Відскануйте код застосунком-автентифікатором (наприклад, Aegis або Google Authenticator) і введіть код, який він покаже.",
        "Scan the code with an authenticator app (such as Aegis or Google Authenticator) and enter the code it shows.",
    ),
    (
        "two_factor_key",
        "Або введіть ключ вручну",
        "Or enter the key by hand",
    ),
    ("two_factor_enable", "Увімкнути", "Turn on"),
    (
        "two_factor_disable",
        "Вимкнути двофакторний вхід",
        "Turn off two-factor sign-in",
    ),
    (
        "require_2fa",
        "Усі працівники мають входити з двофакторним кодом",
        "Everyone must sign in with a two-factor code",
    ),
    ("forgot_password", "Забули пароль?", "Forgot your password?"),
    ("send_link", "Надіслати посилання", "Send a link"),
    (
        "reset_sent",
        "Якщо ця адреса є в редакції, ми надіслали на неї посилання. Воно діє годину.",
        "If this address belongs to the newsroom, we have sent it a link. It works for an hour.",
    ),
    ("choose_password", "Новий пароль", "Choose a password"),
    ("staff", "Редакція", "Staff"),
    ("invite", "Запросити", "Invite"),
    ("name", "Ім'я", "Name"),
    ("role", "Роль", "Role"),
    ("role_owner", "Власник", "Owner"),
    ("role_editor", "Редактор", "Editor"),
    ("role_author", "Автор", "Author"),
    ("role_contributor", "Дописувач", "Contributor"),
    ("invited", "Запрошення надіслано.", "Invitation sent."),
    (
        "no_smtp",
        "Пошту не налаштовано: посилання із запрошенням з'явиться в журналі сервера.",
        "Email is not set up: the invitation link goes to the server log.",
    ),
    ("settings", "Налаштування", "Settings"),
    (
        "authors_can_publish",
        "Автори можуть самі публікувати власні матеріали",
        "Authors may publish their own articles",
    ),
    ("media", "Зображення", "Images"),
    (
        "image_file",
        "Файл зображення (JPEG, PNG або WebP, до 15 МБ)",
        "Image file (JPEG, PNG or WebP, up to 15 MB)",
    ),
    ("upload", "Завантажити", "Upload"),
    ("delete", "Видалити", "Delete"),
    ("pages", "Сторінки", "Pages"),
    ("webhooks", "Вебхуки", "Webhooks"),
    (
        "webhooks_hint",
        "Ваші системи дізнаються про публікації, донати й підписників одразу. Кожен запит підписано секретом вебхука (див. docs/WEBHOOKS.md).",
        "Your own systems hear about stories, donations and subscribers as they happen. Every request is signed with the webhook's secret (see docs/WEBHOOKS.md).",
    ),
    ("webhook_events", "Події", "Events"),
    ("webhook_event", "Подія", "Event"),
    ("webhook_secret", "Секрет для підпису", "Signing secret"),
    ("webhook_attempts", "Спроби", "Attempts"),
    ("webhook_error", "Остання помилка", "Last error"),
    ("webhook_add", "Додати вебхук", "Add webhook"),
    ("new_page", "Нова сторінка", "New page"),
    ("page_title", "Назва", "Title"),
    ("page_position", "Порядок у меню", "Menu order"),
    ("page_published", "Опублікована", "Published"),
    (
        "page_translate",
        "Переклад цієї сторінки",
        "Translate this page",
    ),
    (
        "pages_hint",
        "Сторінки поза стрічкою новин: про редакцію, команда, редакційні стандарти, контакти.",
        "Pages outside the news: about the newsroom, team, editorial standards, contacts.",
    ),
    ("version", "Версія", "Version"),
    ("saved_by", "Хто зберіг", "Saved by"),
    ("compare", "Порівняти", "Compare"),
    ("from_version", "Від версії", "From version"),
    ("to_version", "До версії", "To version"),
    (
        "restore_version",
        "Відновити цю версію",
        "Restore this version",
    ),
    ("no_changes", "Без змін", "No changes"),
    (
        "corrections",
        "Виправлення та оновлення",
        "Corrections and updates",
    ),
    ("add_correction", "Додати до журналу", "Add to the log"),
    ("kind", "Тип", "Kind"),
    ("kind_correction", "Виправлення", "Correction"),
    ("kind_update", "Оновлення", "Update"),
    (
        "correction_text",
        "Що змінилося (бачать читачі)",
        "What changed (readers see this)",
    ),
    (
        "preview_link",
        "Посилання для попереднього перегляду (діє 48 годин)",
        "Preview link (works for 48 hours)",
    ),
    ("field_headline", "Заголовок", "Headline"),
    ("field_standfirst", "Лід", "Standfirst"),
    ("field_body", "Текст", "Body"),
    ("field_sources", "Джерела", "Sources"),
    ("field_status", "Статус", "Status"),
    ("bold", "Жирний", "Bold"),
    ("italic", "Курсив", "Italic"),
    ("link", "Посилання", "Link"),
    ("heading", "Підзаголовок", "Subheading"),
    ("quote", "Цитата", "Quote"),
    ("list", "Список", "List"),
];

pub fn admin_strings(language: &str) -> BTreeMap<&'static str, &'static str> {
    ADMIN_STRINGS
        .iter()
        .map(|(key, uk, en)| (*key, if language == "uk" { *uk } else { *en }))
        .collect()
}

/// Interface words for a language; unknown languages get English.
pub fn strings(language: &str) -> BTreeMap<&'static str, &'static str> {
    STRINGS
        .iter()
        .map(|(key, uk, en)| (*key, if language == "uk" { *uk } else { *en }))
        .collect()
}

pub fn language_name(language: &str) -> &'static str {
    match language {
        "uk" => "Українська",
        "en" => "English",
        _ => "—",
    }
}

const MONTHS_UK_GENITIVE: [&str; 12] = [
    "січня",
    "лютого",
    "березня",
    "квітня",
    "травня",
    "червня",
    "липня",
    "серпня",
    "вересня",
    "жовтня",
    "листопада",
    "грудня",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS_UK: [&str; 7] = [
    "понеділок",
    "вівторок",
    "середа",
    "четвер",
    "пʼятниця",
    "субота",
    "неділя",
];
const WEEKDAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn zoned(ts: i64, tz: &TimeZone) -> jiff::Zoned {
    Timestamp::from_second(ts)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned(tz.clone())
}

/// "25 листопада 2026" / "25 November 2026".
pub fn format_date(ts: i64, language: &str, tz: &TimeZone) -> String {
    let z = zoned(ts, tz);
    let month = (z.month() - 1) as usize;
    match language {
        "uk" => format!(
            "{} {} {}",
            z.day(),
            MONTHS_UK_GENITIVE[month % 12],
            z.year()
        ),
        _ => format!("{} {} {}", z.day(), MONTHS_EN[month % 12], z.year()),
    }
}

/// "25 листопада 2026, 14:05" / "25 November 2026, 14:05".
pub fn format_datetime(ts: i64, language: &str, tz: &TimeZone) -> String {
    let z = zoned(ts, tz);
    format!(
        "{}, {:02}:{:02}",
        format_date(ts, language, tz),
        z.hour(),
        z.minute()
    )
}

/// "14:05".
pub fn format_time(ts: i64, tz: &TimeZone) -> String {
    let z = zoned(ts, tz);
    format!("{:02}:{:02}", z.hour(), z.minute())
}

/// A day heading: "Сьогодні", "Вчора" or "середа, 23 листопада".
pub fn day_heading(ts: i64, now: i64, language: &str, tz: &TimeZone) -> String {
    let day = zoned(ts, tz).date();
    let today = zoned(now, tz).date();
    let t = strings(language);
    if day == today {
        return t["today"].to_owned();
    }
    if today.yesterday().ok() == Some(day) {
        return t["yesterday"].to_owned();
    }
    let weekday = day.weekday().to_monday_zero_offset() as usize;
    let month = (day.month() - 1) as usize;
    match language {
        "uk" => format!(
            "{}, {} {}",
            WEEKDAYS_UK[weekday % 7],
            day.day(),
            MONTHS_UK_GENITIVE[month % 12]
        ),
        _ => format!(
            "{}, {} {}",
            WEEKDAYS_EN[weekday % 7],
            day.day(),
            MONTHS_EN[month % 12]
        ),
    }
}

/// The calendar day of a timestamp in the newsroom's zone, as (year, month, day).
/// A Unix time as RFC 3339 in UTC (JSON-LD, ActivityStreams, `<time datetime>`).
pub fn rfc3339(ts: i64) -> String {
    Timestamp::from_second(ts)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

pub fn local_date(ts: i64, tz: &TimeZone) -> (i16, i8, i8) {
    let d = zoned(ts, tz).date();
    (d.year(), d.month(), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_exists_in_both_languages() {
        assert_eq!(strings("uk").len(), STRINGS.len());
        assert!(
            STRINGS
                .iter()
                .all(|(_, uk, en)| !uk.is_empty() && !en.is_empty())
        );
    }

    #[test]
    fn dates_read_naturally() {
        let tz = TimeZone::get("Europe/Kyiv").unwrap();
        // 2026-11-25 12:05:00 UTC is 14:05 in Kyiv.
        let ts = 1_795_608_300;
        assert_eq!(format_datetime(ts, "uk", &tz), "25 листопада 2026, 14:05");
        assert_eq!(format_datetime(ts, "en", &tz), "25 November 2026, 14:05");
        assert_eq!(day_heading(ts, ts + 3600, "uk", &tz), "Сьогодні");
        assert_eq!(day_heading(ts - 86_400, ts, "en", &tz), "Yesterday");
        assert_eq!(
            day_heading(ts - 2 * 86_400, ts, "uk", &tz),
            "понеділок, 23 листопада"
        );
    }
}
