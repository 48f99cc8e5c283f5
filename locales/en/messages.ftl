## Words the code puts together: embeds, Telegram posts, emails. Email layouts are templates/email/

embed_title_youtube = YouTube video
embed_title_tiktok = TikTok video
embed_title_x = Post on X
embed_title_telegram = Telegram post
embed_load = Load
embed_note = Pressing it loads content from { $provider }, which then receives your data.
embed_open = Open on { $provider }

# The link under a story in Telegram posts and newsletters.
read_story = Read

newsletter_email_invalid = Please check the email address
newsletter_throttled = Too many attempts; please try again later
confirm_subject = Confirm your subscription — { $site }
confirm_intro = To receive the { $site } newsletter, confirm your subscription:
confirm_ignore = If you did not sign up, ignore this message.
digest_subject = The day's news — { $date }
digest_why = You receive this because you subscribed to the newsletter.
unsubscribe = Unsubscribe
receipt_subject = { $site }: receipt
receipt_thanks = Thank you for supporting { $site }!
receipt_monthly = monthly
receipt_manage = See your gifts or stop monthly support:
