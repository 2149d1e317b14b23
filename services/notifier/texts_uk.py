"""Every sentence the notifier writes, in Ukrainian (`uk`): see `texts.py`."""

from __future__ import annotations

from typing import Final

UKRAINIAN: Final[dict[str, str]] = {
    "reason_languages": "обидва: {values}",
    "reason_district": "той самий район: {values}",
    "reason_tags": "теги: {values}",
    "reason_text": "підходить: {values}",
    "reason_window": "періоди збігаються",
    "reason_capacity": "місце для {offered} осіб, потрібно для {needed}",
    "reason_practice": "практика: {values}",
    "greeting": "Добрий день!",
    "greeting_named": "Добрий день, {name}!",
    "signoff": "Ваша мережа Integrationsnetz",
    "open_in_portal": "Переглянути на порталі",
    "portal_home": "Перейти на портал",
    "why_default": "Ви отримали цей лист як контактна адреса організації {organisation} "
    "у мережі Integrationsnetz.",
    "why_subscription": "Ви отримали цей лист, бо ця адреса підписана на сповіщення "
    "Integrationsnetz.",
    "unsubscribe": "Відписатися",
    "unsubscribe_hint": "Більше не отримувати таких листів:",
    "another_organisation": "інша партнерська організація",
    "a_partner": "Партнерська організація",
    "label_category": "Категорія",
    "label_district": "Район",
    "label_when": "Коли",
    "label_languages": "Мови",
    "label_reasons": "Чому це підходить",
    "label_previously": "Раніше",
    "label_reason": "Причина",
    "label_overlap": "Період",
    "label_kind": "Тип",
    "topic_offers": "Нові пропозиції",
    "topic_requests": "Нові запити",
    "topic_events": "Нові заходи",
    "cat_room": "Приміщення",
    "cat_furniture": "Меблі",
    "cat_equipment": "Обладнання",
    "cat_language_partner": "Мовний партнер",
    "cat_volunteers": "Волонтери",
    "cat_cooperation": "Співпраця",
    "cat_expertise": "Експертиза",
    "cat_transport": "Транспорт",
    "cat_other": "Інше",
    "conflict_room": "Те саме приміщення заброньовано двічі.",
    "conflict_audience": "Обидва заходи розраховані на ту саму аудиторію в тому самому "
    "районі в той самий час.",
    "match_subject": "Знайдено відповідність на біржі: {title}",
    "match_heading": "Знайдено відповідність",
    "match_offer_text": "Вашій пропозиції «{own}» відповідає запит «{other}» від {organisation}.",
    "match_request_text": "Вашому запиту «{own}» відповідає пропозиція «{other}» від "
    "{organisation}.",
    "match_summary_subject": "Ще відповідні записи на біржі: {count}",
    "match_summary_text": "Ось інші відповідні записи до ваших пропозицій і запитів. Усі "
    "пропозиції, найкращі першими, є на порталі.",
    "feedback_question": "Чи підходить ця пропозиція? Один клік допоможе нам знаходити "
    "кращі збіги:",
    "feedback_fits": "Підходить",
    "feedback_does_not_fit": "Не підходить",
    "conflict_subject": "Накладка заходів: {title}",
    "conflict_heading": "Два заходи накладаються",
    "conflict_text": "У спільному календарі накладаються «{title}» і «{other}».",
    "conflict_text_unknown": "У спільному календарі накладаються два заходи, у яких бере "
    "участь ваша організація.",
    "a_calendar_entry": "захід",
    "offer_subject": "Нова пропозиція: {title}",
    "request_subject": "Новий запит: {title}",
    "event_subject": "Новий захід: {title}",
    "new_offer_text": "{organisation} пропонує те, що відповідає вашій підписці:",
    "new_request_text": "{organisation} шукає те, що відповідає вашій підписці:",
    "new_event_text": "{organisation} додає захід, що відповідає вашій підписці:",
    "rescheduled_subject": "Захід перенесено: {title}",
    "rescheduled_text": "Захід «{title}» перенесено.",
    "cancelled_subject": "Захід скасовано: {title}",
    "cancelled_text": "Захід «{title}» скасовано.",
    "digest_daily_subject": "Ваш щоденний огляд: нових записів – {count}",
    "digest_weekly_subject": "Ваш щотижневий огляд: нових записів – {count}",
    "digest_text": "Нове в Integrationsnetz з часу вашого останнього огляду:",
    "confirm_subject": "Будь ласка, підтвердьте підписку",
    "confirm_text": "Хтось – сподіваємося, ви – хоче отримувати на цю адресу сповіщення "
    "Integrationsnetz. Будь ласка, підтвердьте:",
    "confirm_button": "Підтвердити підписку",
    "confirm_ignore": "Якщо це були не ви, просто проігноруйте цей лист; більше ви нічого "
    "не отримаєте.",
    "invitation_subject": "Запрошення до Integrationsnetz: {organisation}",
    "invitation_text": "Вас запрошено представляти {organisation} у мережі Integrationsnetz. "
    "Встановіть пароль за цим посиланням:",
    "set_password_button": "Встановити пароль",
    "link_valid_until": "Посилання дійсне до {when}.",
    "reset_subject": "Ваш пароль в Integrationsnetz",
    "reset_text": "Для вашого облікового запису запитано новий пароль. Встановіть його за "
    "цим посиланням:",
    "reset_ignore": "Якщо ви цього не запитували, проігноруйте цей лист; ваш пароль не зміниться.",
    "join_subject": "Запрошення: представляти {organisation} у мережі Integrationsnetz",
    "join_text": "Вас запрошено представляти {organisation} у мережі "
    "Integrationsnetz з вашим наявним обліковим записом. Увійдіть і "
    "прийміть запрошення; без вашої згоди нічого не зміниться.",
    "join_button": "Переглянути запрошення",
    "membership_subject": "Тепер ви представляєте {organisation}",
    "membership_text": "Ваш обліковий запис у Integrationsnetz пов'язано з {organisation}. "
    "Входьте як зазвичай.",
    "page_unsubscribe_title": "Відписатися",
    "page_unsubscribe_subscription": "Бажаєте відписатися від цих сповіщень?",
    "page_unsubscribe_default": "Бажаєте, щоб на цю адресу більше не надходили листи про {what}?",
    "notice_match_found": "відповідності на біржі",
    "notice_conflict_detected": "накладки заходів",
    "page_unsubscribed_title": "Ви відписалися",
    "page_unsubscribed_text": "Ви більше не отримуватимете цих листів.",
    "page_unsubscribed_default_text": "Ваша організація більше не отримуватиме цих листів. "
    "Її члени можуть знову їх увімкнути на порталі в розділі «Mein Bereich» (мій розділ).",
    "page_confirmed_title": "Підписку підтверджено",
    "page_confirmed_text": "Відтепер ви отримуватимете замовлені сповіщення.",
    # working groups and event registrations (`calendar_views.py`)
    "all_day": "увесь день",
    "label_venue": "Де",
    "label_group": "Робоча група",
    "label_topic": "Тема",
    "calendar_request_note": "Подію додано як запис календаря (invite.ics); ваша поштова "
    "програма може перенести її у ваш календар.",
    "calendar_cancel_note": "Додане скасування (invite.ics) видалить подію з вашого календаря.",
    "group_button": "До робочої групи",
    "meeting_invitation_subject": "Запрошення на зустріч: {title}",
    "meeting_invitation_text": "Робоча група «{group}» збирається на зустріч. Ваша організація "
    "як учасниця робочої групи щиро запрошена.",
    "meeting_rescheduled_subject": "Зустріч змінено: {title}",
    "meeting_rescheduled_text": "Зустріч «{title}» робочої групи «{group}» змінено. Будь ласка, "
    "зверніть увагу на нові дані.",
    "meeting_cancelled_subject": "Зустріч скасовано: {title}",
    "meeting_cancelled_text": "Зустріч «{title}» робочої групи «{group}» не відбудеться.",
    "group_join_requested_subject": "Запит на вступ до робочої групи {group}",
    "group_join_requested_text": "{organisation} хоче приєднатися до робочої групи «{group}». "
    "Як координатор групи ви можете прийняти або відхилити запит на порталі.",
    "group_join_requested_button": "Переглянути запит",
    "group_invitation_subject": "Запрошення до робочої групи {group}",
    "group_invitation_text": "{coordinator} запрошує вашу організацію до робочої групи "
    "«{group}». Прийняти запрошення можна на порталі.",
    "group_invitation_button": "Переглянути запрошення",
    "registration_opt_in_subject": "Будь ласка, підтвердьте реєстрацію: {title}",
    "registration_opt_in_text": "Ми отримали реєстрацію на «{title}» з цією адресою. Будь ласка, "
    "підтвердьте її; лише тоді вона буде дійсною:",
    "registration_confirm_button": "Підтвердити реєстрацію",
    "registration_opt_in_ignore": "Якщо ви не реєструвалися, просто проігноруйте цей лист; "
    "тоді реєстрація втратить силу.",
    "registration_confirmed_subject": "Реєстрацію підтверджено: {title}",
    "registration_confirmed_text": "Вашу реєстрацію на «{title}» підтверджено. Чекаємо на вас!",
    "registration_waitlisted_subject": "У списку очікування: {title}",
    "registration_waitlisted_text": "На «{title}» зараз немає вільних місць. Ви на {position} "
    "місці у списку очікування. Щойно звільниться місце, ви автоматично його отримаєте і "
    "дістанете лист.",
    "registration_promoted_subject": "Ви берете участь: {title}",
    "registration_promoted_text": "Гарна новина: на «{title}» звільнилося місце. Ви перейшли зі "
    "списку очікування і тепер зареєстровані.",
    "registration_cancelled_subject": "Реєстрацію скасовано: {title}",
    "registration_cancelled_text": "Вашу реєстрацію на «{title}» скасовано. Шкода, що ви не "
    "зможете прийти!",
    "registration_reminder_subject": "Нагадування: {title}",
    "registration_reminder_text": "Нагадуємо про «{title}» – ви зареєстровані. Чекаємо на вас!",
    "registration_event_changed_subject": "Захід змінено: {title}",
    "registration_event_changed_text": "Захід «{title}», на який ви зареєстровані, змінено. Ваша "
    "реєстрація залишається чинною. Будь ласка, зверніть увагу на нові дані.",
    "registration_event_cancelled_subject": "Захід скасовано: {title}",
    "registration_event_cancelled_text": "На жаль, захід «{title}», на який ви зареєстровані, "
    "не відбудеться. Тому ваша реєстрація втрачає силу.",
    "registration_cancel_link": "Скасувати участь",
    "registration_cancel_hint": "Якщо ви не зможете прийти, будь ласка, скасуйте участь за "
    "посиланням вище – так ваше місце дістанеться комусь іншому.",
}
