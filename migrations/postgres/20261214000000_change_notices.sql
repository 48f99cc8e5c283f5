-- Every node learns of a change at once: each content change is announced
-- on the channel 'newsdesk_changes' (delivered when its transaction
-- commits); nodes still poll the table as a fallback.
CREATE FUNCTION newsdesk_announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('newsdesk_changes', NEW.id::text);
    RETURN NEW;
END
$$;
CREATE TRIGGER content_changes_announce AFTER INSERT ON content_changes
    FOR EACH ROW EXECUTE FUNCTION newsdesk_announce_change();
