-- Avatars in storage, in the style of the public Supabase user-management
-- starter: public profiles (anyone reads, the owner writes), a public
-- `avatars` bucket and a private `documents` bucket whose objects are owned
-- by folder name (<user id>/<file>). storage.objects carries Supabase's
-- generated path_tokens column. Runs after fixtures/migrations/0001.
-- Hand audit: storage_avatars.audit.json.

CREATE TABLE public.profiles (
  id         uuid PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE,
  updated_at timestamptz,
  username   text UNIQUE CHECK (char_length(username) >= 3),
  full_name  text,
  avatar_url text,
  website    text
);
ALTER TABLE public.profiles ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Public profiles are viewable by everyone." ON public.profiles FOR SELECT USING (true);
CREATE POLICY "Users can insert their own profile." ON public.profiles FOR INSERT
  WITH CHECK ((SELECT auth.uid()) = id);
CREATE POLICY "Users can update own profile." ON public.profiles FOR UPDATE USING ((SELECT auth.uid()) = id);

CREATE SCHEMA storage;
GRANT USAGE ON SCHEMA storage TO anon, authenticated, service_role;
CREATE TABLE storage.buckets (
  id     text PRIMARY KEY,
  name   text NOT NULL UNIQUE,
  owner  uuid,
  public boolean DEFAULT false
);
CREATE TABLE storage.objects (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  bucket_id   text REFERENCES storage.buckets (id),
  name        text,
  owner       uuid,
  created_at  timestamptz DEFAULT now(),
  metadata    jsonb,
  path_tokens text[] GENERATED ALWAYS AS (string_to_array(name, '/')) STORED
);
CREATE FUNCTION storage.foldername(name text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE parts text[];
BEGIN
  SELECT string_to_array(name, '/') INTO parts;
  RETURN parts[1:array_length(parts, 1) - 1];
END
$$;
-- Storage stamps the uploader as owner, as Supabase's storage API does.
CREATE FUNCTION storage.set_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.owner := auth.uid();
  RETURN NEW;
END
$$;
CREATE TRIGGER objects_set_owner BEFORE INSERT ON storage.objects FOR EACH ROW
  WHEN (current_setting('request.jwt.claims', true) IS NOT NULL) EXECUTE FUNCTION storage.set_owner();
ALTER TABLE storage.buckets ENABLE ROW LEVEL SECURITY;
ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;
GRANT ALL ON ALL TABLES IN SCHEMA storage TO anon, authenticated, service_role;
GRANT ALL ON ALL TABLES IN SCHEMA public TO anon, authenticated, service_role;

-- Weakness (as in the starter): "Anyone can upload an avatar." has no
-- condition on the caller, so anon uploads into the avatars bucket.
CREATE POLICY "Avatar images are publicly accessible." ON storage.objects FOR SELECT
  USING (bucket_id = 'avatars');
CREATE POLICY "Anyone can upload an avatar." ON storage.objects FOR INSERT WITH CHECK (bucket_id = 'avatars');
CREATE POLICY "Users update their own avatar." ON storage.objects FOR UPDATE TO authenticated
  USING (bucket_id = 'avatars' AND (SELECT auth.uid()) = owner);
-- Weakness: OR where AND was meant, and no TO clause: every document is
-- readable by anyone, anon included.
CREATE POLICY "Users read their own documents" ON storage.objects FOR SELECT
  USING (bucket_id = 'documents' OR (storage.foldername(name))[1] = (SELECT auth.uid())::text);
CREATE POLICY "Users upload their own documents" ON storage.objects FOR INSERT TO authenticated
  WITH CHECK (bucket_id = 'documents' AND (storage.foldername(name))[1] = (SELECT auth.uid())::text);
CREATE POLICY "Users delete their own documents" ON storage.objects FOR DELETE TO authenticated
  USING (bucket_id = 'documents' AND (storage.foldername(name))[1] = (SELECT auth.uid())::text);
-- Weakness: "let the app create buckets" opens bucket creation to every user.
CREATE POLICY "Authenticated users create buckets" ON storage.buckets FOR INSERT TO authenticated
  WITH CHECK (true);

INSERT INTO auth.users (id, email, encrypted_password) VALUES
  ('00000000-0000-4000-8000-00000000000a', 'alice@corpus.test', 'x'),
  ('00000000-0000-4000-8000-00000000000b', 'bob@corpus.test', 'x');
INSERT INTO public.profiles (id, username, full_name) VALUES
  ('00000000-0000-4000-8000-00000000000a', 'alice', 'Alice'), ('00000000-0000-4000-8000-00000000000b', 'bobby', 'Bob');
INSERT INTO storage.buckets (id, name, public) VALUES ('avatars', 'avatars', true), ('documents', 'documents', false);
INSERT INTO storage.objects (bucket_id, name, owner) VALUES
  ('avatars', 'alice.png', '00000000-0000-4000-8000-00000000000a'),
  ('avatars', 'bob.png', '00000000-0000-4000-8000-00000000000b'),
  ('documents', '00000000-0000-4000-8000-00000000000a/cv.pdf', '00000000-0000-4000-8000-00000000000a'),
  ('documents', '00000000-0000-4000-8000-00000000000b/tax.pdf', '00000000-0000-4000-8000-00000000000b');
