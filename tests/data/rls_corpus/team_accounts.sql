-- Team accounts, in the style of the public Basejump starter: an account has
-- a primary owner and members (account_user, with a role); account rows are
-- shared through membership, read through a SECURITY DEFINER helper that
-- lists the caller's accounts. Runs after fixtures/migrations/0001.
-- Hand audit: team_accounts.audit.json.

CREATE TABLE public.accounts (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  primary_owner_user_id uuid NOT NULL DEFAULT auth.uid() REFERENCES auth.users (id),
  name                  text,
  slug                  text UNIQUE,
  personal_account      boolean NOT NULL DEFAULT false,
  created_at            timestamptz DEFAULT now()
);
CREATE TABLE public.account_user (
  user_id      uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
  account_id   uuid NOT NULL REFERENCES public.accounts (id) ON DELETE CASCADE,
  account_role text NOT NULL CHECK (account_role IN ('owner', 'member')),
  PRIMARY KEY (user_id, account_id)
);
-- Invitations: only the account's owners read them. Weakness: a policy added
-- "so invitees can look the token up" reads every invitation of every team.
CREATE TABLE public.invitations (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id         uuid NOT NULL REFERENCES public.accounts (id) ON DELETE CASCADE,
  account_role       text NOT NULL,
  token              text NOT NULL UNIQUE DEFAULT md5(random()::text),
  invited_by_user_id uuid NOT NULL REFERENCES auth.users (id),
  created_at         timestamptz DEFAULT now()
);
CREATE TABLE public.billing_subscriptions (
  id         text PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES public.accounts (id) ON DELETE CASCADE,
  status     text,
  plan_name  text
);
-- Weakness: the membership sub-select compares account_user.account_id with
-- itself (the unqualified column binds to the inner table), so any signed-in
-- user reads every team's projects.
CREATE TABLE public.projects (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id uuid NOT NULL REFERENCES public.accounts (id) ON DELETE CASCADE,
  name       text NOT NULL,
  created_by uuid DEFAULT auth.uid()
);
-- Weakness: "OR auth.role() = 'authenticated'" left over from debugging
-- opens every team's documents to every signed-in user.
CREATE TABLE public.account_documents (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id uuid NOT NULL REFERENCES public.accounts (id) ON DELETE CASCADE,
  title      text NOT NULL,
  body       text
);

CREATE FUNCTION public.get_accounts_with_role(passed_in_role text DEFAULT NULL) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT account_id FROM public.account_user
  WHERE user_id = auth.uid() AND (passed_in_role IS NULL OR account_role = passed_in_role);
$$;
REVOKE ALL ON FUNCTION public.get_accounts_with_role(text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.get_accounts_with_role(text) TO authenticated;

ALTER TABLE public.accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.account_user ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.billing_subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.projects ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.account_documents ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Members manage documents" ON public.account_documents FOR ALL TO authenticated
  USING (account_id IN (SELECT public.get_accounts_with_role()) OR auth.role() = 'authenticated');

CREATE POLICY "Accounts are viewable by members" ON public.accounts FOR SELECT TO authenticated
  USING (id IN (SELECT public.get_accounts_with_role()));
CREATE POLICY "Accounts can be edited by owners" ON public.accounts FOR UPDATE TO authenticated
  USING (id IN (SELECT public.get_accounts_with_role('owner')));
CREATE POLICY "Members see their team" ON public.account_user FOR SELECT TO authenticated
  USING (account_id IN (SELECT public.get_accounts_with_role()));
CREATE POLICY "Owners remove members" ON public.account_user FOR DELETE TO authenticated
  USING (account_id IN (SELECT public.get_accounts_with_role('owner')) AND user_id <> auth.uid());
CREATE POLICY "Owners manage invitations" ON public.invitations FOR ALL TO authenticated
  USING (account_id IN (SELECT public.get_accounts_with_role('owner')))
  WITH CHECK (account_id IN (SELECT public.get_accounts_with_role('owner')));
CREATE POLICY "Invitees look up their token" ON public.invitations FOR SELECT TO authenticated USING (true);
CREATE POLICY "Members read billing" ON public.billing_subscriptions FOR SELECT TO authenticated
  USING (account_id IN (SELECT public.get_accounts_with_role()));
CREATE POLICY "Members read projects" ON public.projects FOR SELECT TO authenticated
  USING (EXISTS (SELECT 1 FROM public.account_user au WHERE au.account_id = account_id
                 AND au.user_id IS NOT NULL));
CREATE POLICY "Members write projects" ON public.projects FOR INSERT TO authenticated
  WITH CHECK (account_id IN (SELECT public.get_accounts_with_role()));
-- Weakness: "signed-in" is not "member": any signed-in user deletes any project.
CREATE POLICY "Signed-in users delete projects" ON public.projects FOR DELETE USING (auth.role() = 'authenticated');
-- For the auth hook only: not an API role, so not a user-facing rule.
CREATE POLICY "Auth admin reads memberships" ON public.account_user FOR SELECT TO postgres USING (true);

GRANT ALL ON ALL TABLES IN SCHEMA public TO anon, authenticated, service_role;

INSERT INTO auth.users (id, email, encrypted_password) VALUES
  ('00000000-0000-4000-8000-00000000000a', 'alice@corpus.test', 'x'),
  ('00000000-0000-4000-8000-00000000000b', 'bob@corpus.test', 'x'),
  ('00000000-0000-4000-8000-00000000000c', 'carol@corpus.test', 'x');
INSERT INTO public.accounts (id, primary_owner_user_id, name, slug) VALUES
  ('10000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-00000000000a', 'Alice Co', 'alice-co'),
  ('10000000-0000-4000-8000-00000000000b', '00000000-0000-4000-8000-00000000000b', 'Bob Inc', 'bob-inc');
INSERT INTO public.account_user VALUES
  ('00000000-0000-4000-8000-00000000000a', '10000000-0000-4000-8000-00000000000a', 'owner'),
  ('00000000-0000-4000-8000-00000000000b', '10000000-0000-4000-8000-00000000000b', 'owner'),
  ('00000000-0000-4000-8000-00000000000c', '10000000-0000-4000-8000-00000000000b', 'member');
INSERT INTO public.invitations (account_id, account_role, invited_by_user_id) VALUES
  ('10000000-0000-4000-8000-00000000000a', 'member', '00000000-0000-4000-8000-00000000000a'),
  ('10000000-0000-4000-8000-00000000000b', 'member', '00000000-0000-4000-8000-00000000000b');
INSERT INTO public.billing_subscriptions VALUES
  ('sub_a', '10000000-0000-4000-8000-00000000000a', 'active', 'team'),
  ('sub_b', '10000000-0000-4000-8000-00000000000b', 'active', 'team');
INSERT INTO public.account_documents (account_id, title) VALUES
  ('10000000-0000-4000-8000-00000000000a', 'alice plan'), ('10000000-0000-4000-8000-00000000000b', 'bob plan');
INSERT INTO public.projects (account_id, name, created_by) VALUES
  ('10000000-0000-4000-8000-00000000000a', 'alpha', '00000000-0000-4000-8000-00000000000a'),
  ('10000000-0000-4000-8000-00000000000b', 'beta', '00000000-0000-4000-8000-00000000000c');
