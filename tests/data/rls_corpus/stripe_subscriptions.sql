-- Stripe subscriptions starter, in the style of the public Next.js +
-- Supabase + Stripe starters: users mirror auth.users (id is the owner, a
-- foreign key), customers and subscriptions are written by the webhook
-- handler (service_role), products and prices are a public catalogue.
-- Runs after fixtures/migrations/0001 (roles, auth schema, auth.uid()).
-- Hand audit: stripe_subscriptions.audit.json.

CREATE TABLE public.users (
  id              uuid PRIMARY KEY REFERENCES auth.users (id),
  full_name       text,
  avatar_url      text,
  billing_address jsonb,
  payment_method  jsonb
);
ALTER TABLE public.users ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Can view own user data." ON public.users FOR SELECT USING (auth.uid() = id);
CREATE POLICY "Can update own user data." ON public.users FOR UPDATE USING (auth.uid() = id);
-- Rows are created by the sign-up trigger on auth.users; a BEFORE trigger
-- refuses direct inserts through the API before RLS is even consulted.
CREATE FUNCTION public.refuse_direct_user_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_user IN ('anon', 'authenticated') THEN
    RAISE EXCEPTION 'public.users rows are created on sign-up';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER users_refuse_direct_insert BEFORE INSERT ON public.users
  FOR EACH ROW EXECUTE FUNCTION public.refuse_direct_user_insert();

-- The mapping to Stripe customer ids. Weakness: someone opened it to the
-- client "to read my own customer id" with USING (true): every Stripe
-- customer id of every user is readable, even by anon.
CREATE TABLE public.customers (
  id                 uuid PRIMARY KEY REFERENCES auth.users (id),
  stripe_customer_id text
);
ALTER TABLE public.customers ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Read customer ids" ON public.customers FOR SELECT USING (true);

CREATE TABLE public.products (
  id          text PRIMARY KEY,
  active      boolean,
  name        text,
  description text,
  image       text,
  metadata    jsonb
);
ALTER TABLE public.products ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Allow public read-only access." ON public.products FOR SELECT USING (true);

CREATE TYPE public.pricing_type AS ENUM ('one_time', 'recurring');
CREATE TABLE public.prices (
  id          text PRIMARY KEY,
  product_id  text REFERENCES public.products (id),
  active      boolean,
  unit_amount bigint,
  currency    text CHECK (char_length(currency) = 3),
  type        public.pricing_type
);
ALTER TABLE public.prices ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Allow public read-only access." ON public.prices FOR SELECT USING (true);

CREATE TYPE public.subscription_status AS ENUM ('trialing', 'active', 'canceled', 'incomplete', 'past_due', 'unpaid');
-- Weakness: an INSERT policy meant as "signed-in users only" that checks the
-- role, not the row: any user inserts an active subscription for anyone.
CREATE TABLE public.subscriptions (
  id         text PRIMARY KEY,
  user_id    uuid NOT NULL REFERENCES auth.users (id),
  status     public.subscription_status,
  price_id   text REFERENCES public.prices (id),
  quantity   integer,
  created    timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE public.subscriptions ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Can only view own subs data." ON public.subscriptions FOR SELECT USING (auth.uid() = user_id);
CREATE POLICY "Signed-in users can subscribe" ON public.subscriptions FOR INSERT
  WITH CHECK (auth.role() = 'authenticated');

-- Raw webhook log, no primary key, written by the webhook handler only.
CREATE TABLE public.stripe_events (
  stripe_event_id text NOT NULL,
  type            text NOT NULL,
  payload         jsonb NOT NULL,
  received_at     timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE public.stripe_events ENABLE ROW LEVEL SECURITY;

GRANT ALL ON ALL TABLES IN SCHEMA public TO anon, authenticated, service_role;

INSERT INTO auth.users (id, email, encrypted_password) VALUES
  ('00000000-0000-4000-8000-00000000000a', 'alice@corpus.test', 'x'),
  ('00000000-0000-4000-8000-00000000000b', 'bob@corpus.test', 'x'),
  ('00000000-0000-4000-8000-00000000000c', 'carol@corpus.test', 'x');
INSERT INTO public.users (id, full_name) VALUES
  ('00000000-0000-4000-8000-00000000000a', 'Alice'), ('00000000-0000-4000-8000-00000000000b', 'Bob'),
  ('00000000-0000-4000-8000-00000000000c', 'Carol');
INSERT INTO public.customers VALUES
  ('00000000-0000-4000-8000-00000000000a', 'cus_alice'), ('00000000-0000-4000-8000-00000000000b', 'cus_bob');
INSERT INTO public.products VALUES ('prod_pro', true, 'Pro', 'Pro plan', NULL, '{}'),
                                   ('prod_old', false, 'Legacy', 'Retired plan', NULL, '{}');
INSERT INTO public.prices VALUES ('price_pro_m', 'prod_pro', true, 1200, 'usd', 'recurring'),
                                 ('price_old_m', 'prod_old', false, 900, 'usd', 'recurring');
INSERT INTO public.subscriptions (id, user_id, status, price_id, quantity) VALUES
  ('sub_alice', '00000000-0000-4000-8000-00000000000a', 'active', 'price_pro_m', 1),
  ('sub_bob', '00000000-0000-4000-8000-00000000000b', 'active', 'price_pro_m', 1);
INSERT INTO public.stripe_events (stripe_event_id, type, payload) VALUES
  ('evt_1', 'customer.subscription.created', '{}'), ('evt_2', 'invoice.paid', '{}');
